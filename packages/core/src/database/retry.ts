const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** PostgreSQL SQLSTATEs: serialization failure and deadlock (retry whole), unique violation. */
const PG_TRANSIENT = new Set(['40001', '40P01']);
const PG_UNIQUE_VIOLATION = '23505';

/**
 * MySQL/MariaDB deadlock (1213) and lock wait timeout (1205), PostgreSQL serialization
 * failure / deadlock (40001, 40P01), SQLite busy: safe to retry whole. Also PostgreSQL's refusal
 * of a kept statement whose table was altered (see postgres-statements.ts): the statement did
 * not run, and the next try prepares it again.
 */
export function isTransientDbError(error: unknown): boolean {
  const e = error as { errno?: number; code?: string } | null;
  if (!e) return false;
  return e.errno === 1213 || e.errno === 1205 || (typeof e.code === 'string' && (e.code.startsWith('SQLITE_BUSY') || PG_TRANSIENT.has(e.code))) || isStalePlan(error);
}

/** PostgreSQL 0A000 `cached plan must not change result type`: a named statement planned before its table changed. */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

/** Runs `work` again (up to `attempts` times, with jittered backoff) when the database reports a transient conflict. */
export async function retryTransient<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransientDbError(error)) throw error;
      await sleep(5 * attempt + Math.random() * 10);
    }
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'POOL_CLOSED',
  // PostgreSQL SQLSTATEs: the server shutting down or starting up, connection failures
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/**
/**
 * `pg` reports a lost connection, a closed pool and a connect timeout as plain Errors without a
 * code; these are its messages for them.
 */
const PG_UNAVAILABLE_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /^Cannot use a pool after calling end/];

/**
 * True for errors that mean "the database cannot be reached right now" (answered with 503).
 * 1047 is a Galera node that is joining or has lost the primary component ("WSREP has not yet
 * prepared node for application use").
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; fatal?: boolean; message?: unknown } | null;
  if (!e) return false;
  if ((typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) || e.errno === 1047 || e.errno === 1053 || e.errno === 2006 || e.errno === 2013) return true;
  return e.code === undefined && typeof e.message === 'string' && PG_UNAVAILABLE_MESSAGES.some((m) => m.test(e.message as string));
}

/** True for a unique-key violation (SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY, MySQL 1062, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { errno?: number; code?: string } | null;
  if (!e) return false;
  return e.errno === 1062 || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === PG_UNIQUE_VIOLATION;
}
