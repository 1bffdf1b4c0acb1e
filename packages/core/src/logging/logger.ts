import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

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
}

/** A pino logger with the kit's redaction rules. Hosts may pass their own pino logger instead. */
export function createLogger(config: LoggerConfig = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: config.name ?? 'w3kit',
    level: config.level ?? 'info',
    formatters: { log: (object) => redactSecrets(object) },
  };
  return destination ? pino(options, destination) : pino(options);
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
