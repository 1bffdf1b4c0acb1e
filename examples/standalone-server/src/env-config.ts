import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The standalone server's configuration, read from environment variables. Each variable is
 * documented in the README's configuration table; this is the one place that reads them.
 */
export interface ServerConfig {
  /** `NODE_ENV`: `production` turns on production mode; anything else is development. */
  mode: 'development' | 'production' | 'test';
  /** `PORT`, default 3000. */
  port: number;
  /** `HOST`, default 127.0.0.1 (only this machine); set 0.0.0.0 behind a load balancer. */
  host: string;
  /** `W3KIT_DATA_DIR`, default `./data`: the SQLite file and generated development keys. */
  dataDir: string;
  /** `DATABASE_URL`, default `sqlite:<dataDir>/w3kit.db`; `mysql://user:pass@host:port/db` for MySQL/MariaDB. */
  databaseUrl: string;
  /** `PUBLIC_URL`, default `http://127.0.0.1:<port>`: base URL in links, token URIs and the button JS. */
  publicUrl: string;
  /** `W3KIT_MASTER_KEY`, 64 hex characters; generated into `<dataDir>/master-key` in development. */
  masterKey: string;
  /** `W3KIT_PREVIOUS_MASTER_KEYS`, comma-separated: earlier keys that still decrypt during a rotation. */
  previousMasterKeys: string[];
  /** `LOG_LEVEL`, default `info`. */
  logLevel: string;
  /** `DNS_SERVERS`, comma-separated `host:port` resolvers for DNS checks; default: the system's. */
  dnsServers: string[];
  /** `SMTP_URL` (`smtp://user:pass@host:port`, `smtps://…`); unset: email is logged (development only). */
  smtpUrl: string | undefined;
  /** `ATTESTATION_SIGNER_KEY`, 0x + 64 hex: the key that signs attestations; generated in development. */
  attestationSignerKey: string | undefined;
  /** What was filled in with a development default, to say so loudly at startup. */
  developmentDefaults: string[];
}

export class EnvConfigError extends Error {
  override readonly name = 'EnvConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** Reads a development secret from the data folder, creating it (mode 0600) the first time. */
function persistedSecret(dataDir: string, file: string, create: () => string): string {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = create();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

export function loadServerConfig(env: Env = process.env, cwd = process.cwd()): ServerConfig {
  const problems: string[] = [];
  const developmentDefaults: string[] = [];
  const mode = env['NODE_ENV'] === 'production' ? 'production' : env['NODE_ENV'] === 'test' ? 'test' : 'development';
  const production = mode === 'production';

  const port = Number(env['PORT'] ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT: "${env['PORT']}" is not a port number (0-65535)`);
  const host = env['HOST'] ?? '127.0.0.1';
  const dataDir = resolve(cwd, env['W3KIT_DATA_DIR'] ?? 'data');

  const databaseUrl = env['DATABASE_URL'] ?? `sqlite:${join(dataDir, 'w3kit.db')}`;
  if (!/^(sqlite:.+|mysql:\/\/.+|mariadb:\/\/.+)$/.test(databaseUrl)) {
    problems.push('DATABASE_URL: use sqlite:<file>, sqlite::memory: or mysql://user:password@host:port/database');
  }
  if (env['DATABASE_URL'] === undefined) developmentDefaults.push(`DATABASE_URL (SQLite in ${dataDir})`);

  let publicUrl = env['PUBLIC_URL'] ?? `http://127.0.0.1:${port}`;
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl)) problems.push(`PUBLIC_URL: "${publicUrl}" is not an http(s) URL`);
  publicUrl = publicUrl.replace(/\/+$/, '');
  if (env['PUBLIC_URL'] === undefined) {
    if (production) problems.push('PUBLIC_URL: required in production (the URL clients reach this server at)');
    developmentDefaults.push('PUBLIC_URL');
  }

  let masterKey = env['W3KIT_MASTER_KEY'] ?? '';
  if (env['W3KIT_MASTER_KEY'] === undefined) {
    if (production) problems.push('W3KIT_MASTER_KEY: required in production (32 bytes as 64 hex characters: `openssl rand -hex 32`)');
    else {
      masterKey = persistedSecret(dataDir, 'master-key', () => randomBytes(32).toString('hex'));
      developmentDefaults.push(`W3KIT_MASTER_KEY (generated into ${join(dataDir, 'master-key')})`);
    }
  } else if (!HEX_KEY.test(masterKey)) problems.push('W3KIT_MASTER_KEY: must be 64 hex characters (32 bytes)');

  const previousMasterKeys = (env['W3KIT_PREVIOUS_MASTER_KEYS'] ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (previousMasterKeys.some((k) => !HEX_KEY.test(k))) problems.push('W3KIT_PREVIOUS_MASTER_KEYS: each key must be 64 hex characters');

  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);

  const dnsServers = (env['DNS_SERVERS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const server of dnsServers) {
    if (!/^(\[[0-9a-fA-F:]+\]|[^:\s]+)(:\d{1,5})?$/.test(server)) problems.push(`DNS_SERVERS: "${server}" is not host or host:port`);
  }

  const smtpUrl = env['SMTP_URL'];
  if (smtpUrl !== undefined && !/^smtps?:\/\/\S+$/.test(smtpUrl)) problems.push('SMTP_URL: use smtp://user:password@host:port or smtps://…');

  let attestationSignerKey = env['ATTESTATION_SIGNER_KEY'];
  if (attestationSignerKey !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(attestationSignerKey)) {
    problems.push('ATTESTATION_SIGNER_KEY: must be a hex private key (0x + 64 hex characters)');
  }
  if (attestationSignerKey === undefined && !production && problems.length === 0) {
    attestationSignerKey = persistedSecret(dataDir, 'attestation-signer-key', () => `0x${randomBytes(32).toString('hex')}`);
    developmentDefaults.push('ATTESTATION_SIGNER_KEY (generated)');
  }

  if (problems.length > 0) throw new EnvConfigError(problems);
  return {
    mode,
    port,
    host,
    dataDir,
    databaseUrl,
    publicUrl,
    masterKey,
    previousMasterKeys,
    logLevel,
    dnsServers,
    smtpUrl,
    attestationSignerKey,
    developmentDefaults,
  };
}
