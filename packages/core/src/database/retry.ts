const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** MySQL/MariaDB deadlock (1213) and lock wait timeout (1205), SQLite busy: safe to retry whole. */
export function isTransientDbError(error: unknown): boolean {
  const e = error as { errno?: number; code?: string } | null;
  if (!e) return false;
  return e.errno === 1213 || e.errno === 1205 || (typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY'));
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
]);

/**
 * True for errors that mean "the database cannot be reached right now" (answered with 503).
 * 1047 is a Galera node that is joining or has lost the primary component ("WSREP has not yet
 * prepared node for application use").
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; fatal?: boolean } | null;
  if (!e) return false;
  return (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) || e.errno === 1047 || e.errno === 1053 || e.errno === 2006 || e.errno === 2013;
}

/** True for a unique-key violation (SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY, MySQL 1062). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { errno?: number; code?: string } | null;
  if (!e) return false;
  return e.errno === 1062 || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
