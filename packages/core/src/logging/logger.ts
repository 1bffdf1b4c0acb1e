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

/** `text` into `bytes` from `at`, where it ends; -1 when a character is not one a JSON string holds as it is (see JSON_PLAIN). */
function putPlain(bytes: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return -1;
    bytes[at++] = c;
  }
  return at;
}

/** `part` into `bytes` from `at`, where it ends: a loop, as the parts are short (for a dozen bytes, `TypedArray#set` costs its call alone). */
function putBytes(bytes: Buffer, at: number, part: Buffer): number {
  for (let i = 0; i < part.length; i++) bytes[at++] = part[i]!;
  return at;
}

/** The integer `n`, 0 ≤ n < 2^31 (a status, a duration's milliseconds), in decimal digits into `bytes` from `at`, where they end. */
function putInt(bytes: Buffer, at: number, n: number): number {
  let end = at + 1;
  for (let rest = (n / 10) | 0; rest > 0; rest = (rest / 10) | 0) end++;
  for (let i = end - 1; i >= at; i--) {
    const rest = (n / 10) | 0;
    bytes[i] = 0x30 + n - rest * 10;
    n = rest;
  }
  return end;
}

/** The access line's fixed parts after its head (see `headOf`), as bytes. */
const PARTS = {
  method: Buffer.from('","method":"'),
  url: Buffer.from('","url":"'),
  status: Buffer.from('","status":'),
  ms: Buffer.from(',"ms":'),
  end: Buffer.from(',"msg":"request"}\n'),
};

/** The bytes of a line but its head and its three text fields: the fixed parts, and room for a status and a duration in digits. */
const PARTS_LENGTH = Object.values(PARTS).reduce((sum, part) => sum + part.length, 0) + 24;

/** The access line up to its request id, the same for every line of one millisecond: the level, the time, pid, hostname and name (`bindings`, as pino writes them). */
const headOf = (timeText: string, bindings: string) => `{"level":30,"time":${timeText}${bindings},"reqId":`;

/**
 * The line put into `bytes` from `at`, as the string path writes it; where it ends, or -1 when
 * a field needs JSON's escaping (then the string path writes it). No string is made of it —
 * as a string, the line was some twenty pieces joined, then copied flat to be encoded: a line
 * took 430–520 ns that way and takes 270–330 ns this way, 4 KB writes to /dev/null included.
 */
function encodeLine(bytes: Buffer, at: number, head: Buffer, reqId: string, method: string, url: string, status: number, tenths: number): number {
  bytes.set(head, at);
  at = putPlain(bytes, at + head.length, reqId);
  if (at < 0) return -1;
  at = putPlain(bytes, putBytes(bytes, at, PARTS.method), method);
  if (at < 0) return -1;
  at = putPlain(bytes, putBytes(bytes, at, PARTS.url), url);
  if (at < 0) return -1;
  at = putInt(bytes, putBytes(bytes, at, PARTS.status), status);
  const digit = tenths % 10;
  at = putInt(bytes, putBytes(bytes, at, PARTS.ms), (tenths - digit) / 10);
  if (digit !== 0) {
    bytes[at++] = 0x2e; // .
    bytes[at++] = 0x30 + digit;
  }
  return putBytes(bytes, at, PARTS.end);
}

/**
 * The access line writer for `logger`. For a logger of `createLogger` the line is put together
 * here, as the same JSON pino writes for `logger.info({ reqId, method, url, status, ms }, 'request')`
 * (a test holds the two equal): the fields are fixed, and none can carry a secret once the URL's
 * query is redacted, so pino's generic path — the redaction walk, a loop over the object's keys,
 * the escaping of each — is work for nothing on every request. To the kit's buffered
 * destination it goes as bytes, encoded straight into the held buffer (`encodeLine`); to any
 * other stream as a string. Any other logger (a host's, a child, one with its own formatters or
 * transport) gets the `logger.info` call.
 */
export function accessLog(logger: Logger): AccessLog {
  const stream = kitLoggerStreams.get(logger);
  if (!stream) return (reqId, method, url, status, ms) => logger.info({ reqId, method, url, status, ms: Math.round(ms * 10) / 10 }, 'request');
  // pid, hostname and name, as pino writes them after the time
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
  const held = stream instanceof BufferedDestination ? stream : undefined;
  // the line's head as text and as bytes (with the opening quote of the request id), made once per millisecond rather than once per line
  let now = 0;
  let head = headOf('0', bindings);
  let headBytes = Buffer.from(`${head}"`);
  return (reqId, method, url, status, ms) => {
    if (logger.levelVal > INFO) return;
    const time = Date.now();
    if (time !== now) {
      head = headOf(String((now = time)), bindings);
      headBytes = Buffer.from(`${head}"`);
    }
    const tenths = Math.round(ms * 10);
    // a duration of 2^31 ms (24 days) or more goes as a string
    if (held && tenths < 2 ** 31) {
      const at = held.reserve(headBytes.length + reqId.length + method.length + url.length + PARTS_LENGTH);
      const end = at < 0 ? -1 : encodeLine(held.bytes, at, headBytes, reqId, method, url, status, tenths);
      if (end >= 0) return held.commit(end);
    }
    stream.write(`${head}${jsonString(reqId)},"method":${jsonString(method)},"url":${jsonString(url)},"status":${status},"ms":${tenthsText(tenths)},"msg":"request"}\n`);
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
