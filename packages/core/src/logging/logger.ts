import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

/**
 * Field names whose values never reach a log line, wherever they appear in the first three
 * levels of a logged object (`password`, `body.password`, `user.credentials.password`).
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

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of SENSITIVE_FIELDS) {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
    paths.push(key, join('*'), join('*.*'), join('*.*.*'));
  }
  paths.push('req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]');
  return paths;
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
    redact: { paths: redactPaths(), censor: '[REDACTED]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

const SENSITIVE_QUERY = new Set<string>(['c', ...SENSITIVE_FIELDS.map((f) => f.toLowerCase())]);

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
