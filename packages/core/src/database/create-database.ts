import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { PoolOptions } from 'mysql2';
import type { PoolConfig } from 'pg';
import { createFailoverPool, parseMysqlUrl, type MysqlCounters } from './mysql-failover.js';
import { namedStatements } from './postgres-statements.js';
import { keepPreparedStatements } from './sqlite-statements.js';

export type DatabaseDialect = 'sqlite' | 'mysql' | 'postgres';

/**
 * The kit's database: a Kysely instance typed with no tables. Each plugin adds its own
 * table types with `db.withTables<PluginTables>()`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type KitDatabase = Kysely<{}>;

export interface DatabaseHandle {
  readonly db: KitDatabase;
  readonly dialect: DatabaseDialect;
  /** The URL with any password removed, fit for logs. */
  readonly displayUrl: string;
  /** Answers true when the database answers a trivial query. */
  ping(): Promise<boolean>;
  destroy(): Promise<void>;
  /** MySQL only: statements retried after a conflict, hosts failed over (see mysql-failover.ts). */
  readonly counters?: Readonly<MysqlCounters>;
}

export interface DatabaseOptions {
  /**
   * Required with a host's own Kysely instance (ignored with a URL, which names its engine):
   * the engine behind it, which migrations and a few queries depend on.
   */
  dialect?: DatabaseDialect;
  /** MySQL / PostgreSQL pool size. Default 10 (or `?connectionLimit=` in the URL). */
  connectionLimit?: number;
  /** SQLite busy timeout in ms. Default 5000. */
  sqliteBusyTimeoutMs?: number;
  /** MySQL: attempts for a statement outside a transaction that hit a deadlock or certification conflict. Default 5 (or `?statementAttempts=`). */
  statementAttempts?: number;
  /**
   * PostgreSQL: the SQL texts the kit runs often go as named (prepared) statements, parsed and
   * planned once per connection (see postgres-statements.ts). Default true (or
   * `?preparedStatements=false`); turn off behind a pooler that cannot keep them (PgBouncer in
   * transaction mode before 1.21, or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
  /** MySQL with several hosts: ms a failed host is skipped before it is tried again. Default 2000 (or `?hostRetryMs=`). */
  hostRetryMs?: number;
}

/**
 * Opens a database from a URL:
 * - `sqlite:<file>` (relative to the working directory, folders created) or `sqlite::memory:`;
 * - `mysql://user:password@host:port/database` (also `mariadb://`), a mysql2 pool;
 * - `mysql://user:password@h1:p1,h2:p2,h3:p3/database`, a pool per host of a Galera cluster,
 *   each connection from the first host that is up (see mysql-failover.ts);
 * - `postgres://user:password@host:port/database` (also `postgresql://`), a `pg` pool.
 *
 * Only the driver of the engine used is loaded (on the first query), so a deployment installs
 * only the one it needs. Or wraps a host's own Kysely instance, `createDatabase(db, { dialect })`:
 * the kit adds its tables beside the host's, and `destroy()` leaves the instance open for the
 * host to close (docs/embedding.md says what the kit expects of its connection settings).
 */
export function createDatabase(url: string, options?: DatabaseOptions): DatabaseHandle;
export function createDatabase<DB>(db: Kysely<DB>, options: DatabaseOptions & { dialect: DatabaseDialect }): DatabaseHandle;
export function createDatabase<DB>(source: string | Kysely<DB>, options: DatabaseOptions = {}): DatabaseHandle {
  // not `instanceof Kysely`: a host's Kysely may be another copy of the package than core's
  if (typeof source !== 'string') return hostDatabase(source as unknown as KitDatabase, options.dialect);
  const url = source;
  if (url.startsWith('sqlite:')) return openSqlite(url, options);
  if (/^(mysql|mariadb):\/\//.test(url)) return openMysql(url, options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new TypeError(`unsupported database URL "${redact(url)}": use sqlite:<file>, sqlite::memory:, mysql://user:password@host:port/database or postgres://user:password@host:port/database`);
}

const DIALECTS: readonly DatabaseDialect[] = ['sqlite', 'mysql', 'postgres'];

function hostDatabase(db: KitDatabase, dialect: DatabaseDialect | undefined): DatabaseHandle {
  if (dialect === undefined || !DIALECTS.includes(dialect)) {
    throw new TypeError(`createDatabase(kysely, { dialect }): dialect must be one of ${DIALECTS.join(', ')} (the engine behind the Kysely instance)`);
  }
  // the host made it and closes it: the kit's destroy() must not end the host's pool
  return { ...handle(db, dialect, `${dialect} (the host's Kysely instance)`), destroy: async () => {} };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function openSqlite(url: string, options: DatabaseOptions): DatabaseHandle {
  const target = url.slice('sqlite:'.length);
  if (target === '') throw new TypeError('sqlite URL needs a file: sqlite:<file> or sqlite::memory:');
  const memory = target === ':memory:';
  const file = memory ? ':memory:' : resolve(target.replace(/^\/\/(?=\/)/, ''));
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  // better-sqlite3 (a native module) is loaded on the first query, so MySQL and PostgreSQL deployments never need it built
  const database = async () => {
    const SQLite = (await import('better-sqlite3')).default;
    const connection = new SQLite(file, { timeout: options.sqliteBusyTimeoutMs ?? 5000 });
    if (!memory) connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma('foreign_keys = ON');
    return keepPreparedStatements(connection);
  };
  const db: KitDatabase = new Kysely({ dialect: new SqliteDialect({ database }) });
  return handle(db, 'sqlite', memory ? 'sqlite::memory:' : `sqlite:${file}`);
}

function openMysql(url: string, options: DatabaseOptions): DatabaseHandle {
  const parsed = parseMysqlUrl(url);
  const setting = (name: string, fallback: number) => {
    const value = Number(parsed.params.get(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`mysql URL: ${name} must be a positive integer`);
    return value;
  };
  const counters: MysqlCounters = { statementRetries: 0, failovers: 0 };
  const poolOptions: PoolOptions = {
    user: parsed.user,
    password: parsed.password,
    database: parsed.database,
    connectionLimit: setting('connectionLimit', options.connectionLimit ?? 10),
    // a dead host must not hang a request: connecting gives up after 3 s and the next host is tried
    connectTimeout: 3000,
    // Timestamps are stored as epoch milliseconds (BIGINT); mysql2 returns a BIGINT as a
    // number while it fits in 2^53, which every epoch-ms value does.
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    charset: 'utf8mb4',
    enableKeepAlive: true,
  };
  const settings = { statementAttempts: setting('statementAttempts', options.statementAttempts ?? 5), hostRetryMs: setting('hostRetryMs', options.hostRetryMs ?? 2000) };
  // mysql2 is loaded on the first query, so SQLite and PostgreSQL deployments never load it
  const pool = async () => createFailoverPool((await import('mysql2')).createPool, parsed.hosts, poolOptions, settings, counters);
  const db: KitDatabase = new Kysely({ dialect: new MysqlDialect({ pool }) });
  return { ...handle(db, 'mysql', redact(url)), counters };
}

/** int8 (BIGINT, and `count(*)`): pg hands it over as a string; epoch-ms values fit in 2^53. */
const INT8_OID = 20;

function openPostgres(url: string, options: DatabaseOptions): DatabaseHandle {
  const parsed = new URL(url);
  const limit = Number(parsed.searchParams.get('connectionLimit') ?? options.connectionLimit ?? 10);
  const prepared = parsed.searchParams.get('preparedStatements');
  if (prepared !== null && prepared !== 'true' && prepared !== 'false') throw new TypeError('postgres URL: preparedStatements must be true or false');
  const statements = (prepared === null ? (options.preparedStatements ?? true) : prepared === 'true') ? namedStatements() : undefined;
  const config: PoolConfig = {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    max: limit,
    // a connection attempt that hangs is an unavailable database, not a request that waits forever
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  };
  // `pg` is loaded on the first query, so SQLite and MySQL deployments never load it.
  const dialect = new PostgresDialect({
    pool: async () => {
      const pg = (await import('pg')).default;
      const parseInt8 = (value: string) => Number(value);
      const pool = new pg.Pool({
        ...config,
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            oid === INT8_OID ? parseInt8 : (pg.types.getTypeParser(oid, format) as (value: string) => unknown)) as typeof pg.types.getTypeParser,
        },
      });
      // A client whose server went away emits 'error' (an idle one on the pool, a checked-out one on
      // itself, beside failing its query); without a listener either would crash the process.
      pool.on('error', () => {});
      pool.on('connect', (client) => {
        client.on('error', () => {});
        statements?.wrap(client);
      });
      return pool;
    },
  });
  const db: KitDatabase = new Kysely({ dialect });
  return handle(db, 'postgres', redact(url));
}

function handle(db: KitDatabase, dialect: DatabaseDialect, displayUrl: string): DatabaseHandle {
  return {
    db,
    dialect,
    displayUrl,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    destroy: () => db.destroy(),
  };
}
