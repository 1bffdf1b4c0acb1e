import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { BufferedDestination } from './buffered-destination.js';

/**
 * Field names (case-insensitive) whose values never reach a log line, wherever they appear in
 * the first four levels of a logged object (`password`, `body.password`, `req.headers.authorization`).
 */
export const SENSITIVE_FIELDS = [
  'password',
  'newPassword',
  'secret',
  'secretKey',
  'tempKey',
  'hashKey',
  'api_key_secret',
  'apiKeySecret',
  'code',
  'token',
  'tmp_token',
  'access_token',
  'accessToken',
  'refresh_token',
  'authorization',
  'cookie',
  'privateKey',
  'private_key',
  'oauth-verifier',
  'oauth_verifier',
  'oauth_token_secret',
  'client_secret',
  'jwt',
] as const;

const SENSITIVE = new Set<string>(SENSITIVE_FIELDS.map((f) => f.toLowerCase()));
const CENSOR = '[REDACTED]';
const MAX_DEPTH = 4;

const isPlain = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/**
 * Returns `value` with the values of sensitive keys replaced, at any depth up to MAX_DEPTH,
 * in plain objects and arrays. Copies only the branches it changes, so a log line with
 * nothing to hide costs one walk and no allocation. (pino's path-based `redact` needs one
 * compiled path per key and depth, and cost ~6x the whole request in the benchmark.)
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    let copy: unknown[] | undefined;
    items.forEach((item, i) => {
      const next = redactSecrets(item, depth + 1);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return (copy ?? value) as T;
  }
  if (!isPlain(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const next = SENSITIVE.has(key.toLowerCase()) ? (item === undefined || item === null ? item : CENSOR) : redactSecrets(item, depth + 1);
    if (next !== item) (copy ??= { ...value })[key] = next;
  }
  return (copy ?? value) as T;
}

export interface LoggerConfig {
  /** pino level. Default `info`. */
  level?: string;
  /** Name field on every line. Default `w3kit`. */
  name?: string;
  /** Where lines go when no destination stream is passed: a file descriptor or a file path. Default `1` (stdout). */
  destination?: number | string;
  /**
   * Bytes of lines held before one write to `destination`, when no destination stream is
   * passed. Default `4096`; `0` writes each line at once (pino's own default).
   */
  bufferBytes?: number;
  /** Milliseconds a held line waits at most before it is written (a quiet server's lines still appear). Default `1000`. */
  flushIntervalMs?: number;
}

/** The defaults of `LoggerConfig`'s destination settings. */
export const LOGGER_DEFAULTS = { destination: 1, bufferBytes: 4096, flushIntervalMs: 1000 } as const;

/** What `accessLog` needs of a logger `createLogger` made: the stream it writes to. */
const kitLoggerStreams = new WeakMap<Logger, DestinationStream>();

/**
 * A pino logger with the kit's redaction rules. Hosts may pass their own pino logger instead.
 * Without a `destination` stream it writes to `config.destination`, buffered (`bufferBytes`,
 * `flushIntervalMs`; see `BufferedDestination`): one write per few kilobytes of lines instead
 * of one per line, which was a fifth of a small request's CPU.
 */
export function createLogger(config: LoggerConfig = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: config.name ?? 'w3kit',
    level: config.level ?? 'info',
    formatters: { log: (object) => redactSecrets(object) },
  };
  const stream = destination ?? defaultDestination(config, options.level === 'silent');
  const logger = pino(options, stream);
  kitLoggerStreams.set(logger, stream);
  return logger;
}

function defaultDestination(config: LoggerConfig, silent: boolean): DestinationStream {
  const bufferBytes = config.bufferBytes ?? LOGGER_DEFAULTS.bufferBytes;
  const flushIntervalMs = config.flushIntervalMs ?? LOGGER_DEFAULTS.flushIntervalMs;
  if (!Number.isInteger(bufferBytes) || bufferBytes < 0) throw new TypeError(`createLogger: bufferBytes must be a non-negative integer, got ${String(bufferBytes)}`);
  if (!Number.isInteger(flushIntervalMs) || flushIntervalMs < 1) throw new TypeError(`createLogger: flushIntervalMs must be a positive integer, got ${String(flushIntervalMs)}`);
  const dest = config.destination ?? LOGGER_DEFAULTS.destination;
  // a silent logger (a test kit's) holds nothing: no buffer, no flush timer for it
  if (bufferBytes === 0 || silent) return pino.destination({ dest, sync: true });
  return new BufferedDestination(dest, bufferBytes, flushIntervalMs);
}

/** Writes one request's access line: `reqId`, `method`, `url` (already passed through `redactUrl`), `status`, and `ms`, the time taken, written to a tenth of a millisecond. */
export type AccessLog = (reqId: string, method: string, url: string, status: number, ms: number) => void;

const INFO = 30;

/** Characters a JSON string holds as they are: printable ASCII but `"` and `\`. */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `text` as a JSON string, as JSON.stringify writes it; a plain one (a request id, a method, most URLs) without its escaping pass. */
const jsonString = (text: string): string => (JSON_PLAIN.test(text) ? `"${text}"` : JSON.stringify(text));

/** A count of tenths (of a millisecond) as JSON writes the number `tenths / 10`, without formatting a fraction. */
function tenthsText(tenths: number): string {
  const digit = tenths % 10;
  return digit === 0 ? String(tenths / 10) : `${(tenths - digit) / 10}.${digit}`;
}

/**
 * The access line writer for `logger`. For a logger of `createLogger` the line is put together
 * here, as the same JSON pino writes for `logger.info({ reqId, method, url, status, ms }, 'request')`
 * (a test holds the two equal): the fields are fixed, and none can carry a secret once the URL's
 * query is redacted, so pino's generic path — the redaction walk, a loop over the object's keys,
 * the escaping of each — is work for nothing on every request. Any other logger (a host's, a
 * child, one with its own formatters or transport) gets the `logger.info` call.
 */
export function accessLog(logger: Logger): AccessLog {
  const stream = kitLoggerStreams.get(logger);
  if (!stream) return (reqId, method, url, status, ms) => logger.info({ reqId, method, url, status, ms: Math.round(ms * 10) / 10 }, 'request');
  // pid, hostname and name, as pino writes them after the time
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym];
  // the time as text, made once per millisecond rather than once per line
  let now = 0;
  let nowText = '0';
  return (reqId, method, url, status, ms) => {
    if (logger.levelVal > INFO) return;
    const time = Date.now();
    if (time !== now) nowText = String((now = time));
    stream.write(
      `{"level":30,"time":${nowText}${bindings},"reqId":${jsonString(reqId)},"method":${jsonString(method)},"url":${jsonString(url)},"status":${status},"ms":${tenthsText(Math.round(ms * 10))},"msg":"request"}\n`,
    );
  };
}

// `c` carries NFT QR codes; `state` and `oauth_token` bind OAuth flows.
const SENSITIVE_QUERY = new Set<string>(['c', 'state', 'oauth_token', ...SENSITIVE]);

/** A URL fit for a log line: values of sensitive query parameters (`?c=<code>`, `?token=`) replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const name of [...params.keys()]) {
    if (SENSITIVE_QUERY.has(name.toLowerCase())) {
      params.set(name, '[REDACTED]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
