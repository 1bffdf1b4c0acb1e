import { pino, type DestinationStream } from 'pino';

type Sink = ReturnType<typeof pino.destination>;

/** Destinations holding lines, written out when the process exits (one listener for all). */
const holding = new Set<BufferedDestination>();
let exitHooked = false;

/**
 * Log lines held in memory and written to `dest` by pino's sonic-boom, synchronously, one write
 * per `bufferBytes` of lines (and whatever is held every `flushIntervalMs`, so a quiet server's
 * lines still appear), instead of one write per line.
 *
 * Why not sonic-boom's own `minLength`: it measures its whole buffer in bytes on every write
 * (`Buffer.byteLength`), which flattens the growing string each time — a copy of up to
 * `bufferBytes` per line, garbage the young generation then collects — and its asynchronous
 * mode hands every write to libuv's pool. Here a line is appended (a rope, flattened once when
 * written) and counted in UTF-16 units: `bufferBytes` is a threshold, not an exact size.
 *
 * Synchronous, as pino's default destination is: a stdout that cannot keep up slows the
 * process rather than growing its memory. What is held is written at `exit` (a clean shutdown's
 * `process.exit`, an uncaught exception) and by `logger.flush()`; only a killed process loses it.
 */
export class BufferedDestination implements DestinationStream {
  #held = '';
  readonly #sink: Sink;
  readonly #bufferBytes: number;

  constructor(dest: number | string, bufferBytes: number, flushIntervalMs: number) {
    this.#sink = pino.destination({ dest, sync: true });
    this.#bufferBytes = bufferBytes;
    setInterval(() => this.flush(), flushIntervalMs).unref();
    holding.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => {
        for (const destination of holding) destination.flush();
      });
    }
  }

  write(line: string): void {
    this.#held += line;
    if (this.#held.length >= this.#bufferBytes) this.flush();
  }

  /** Writes what is held, now (pino's `logger.flush(cb)` calls this). */
  flush(done?: (error?: Error) => void): void {
    if (this.#held !== '') {
      const chunk = this.#held;
      this.#held = '';
      this.#sink.write(chunk);
    }
    done?.();
  }
}
