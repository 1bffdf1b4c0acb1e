import type { MysqlPool, MysqlPoolConnection } from 'kysely';
import type { createPool as CreatePool, Pool, PoolConnection, PoolOptions } from 'mysql2';
import { isDatabaseUnavailable } from './retry.js';

/** One `host:port` of a `mysql://user:password@h1:p1,h2:p2/db` URL. */
export interface MysqlHost {
  host: string;
  port: number;
}

export interface FailoverSettings {
  /** Attempts for a statement outside a transaction that lost a deadlock or a Galera certification conflict (1213). */
  statementAttempts: number;
  /** How long a host that failed is skipped before it is tried again, in ms. */
  hostRetryMs: number;
}

/** Counters of one database handle, for logs and the benchmarks. */
export interface MysqlCounters {
  /** Statements run again after a deadlock or certification conflict. */
  statementRetries: number;
  /** Times a host was found unreachable or not ready and left for the next one. */
  failovers: number;
}

const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const END = /^\s*(commit|rollback)\s*$/i;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A pool per host behind Kysely's one-pool interface. Connections come from the first host in
 * URL order that is up; a host whose connection fails (refused, lost, or a Galera node not
 * ready) is skipped for `hostRetryMs`, then tried again, so an instance returns to its own node
 * once it has rejoined. The request that met the failure is answered 503 (the error is one of
 * `isDatabaseUnavailable`): a write whose connection was lost may or may not have committed, so
 * it is never replayed.
 *
 * A statement outside a transaction that fails with 1213 (InnoDB deadlock, or Galera's
 * certification conflict at commit) was rolled back whole, so it is run again (bounded, jittered):
 * a conditional UPDATE re-evaluates its condition and cannot apply twice. Inside a transaction
 * the error ends the transaction; callers that can repeat it wrap it in `retryTransient`.
 */
export function createFailoverPool(createPool: typeof CreatePool, hosts: readonly MysqlHost[], options: PoolOptions, settings: FailoverSettings, counters: MysqlCounters): MysqlPool {
  const pools: Pool[] = hosts.map((h) => createPool({ ...options, host: h.host, port: h.port }));
  const downUntil = hosts.map(() => 0);
  const wrapped = new WeakMap<PoolConnection, MysqlPoolConnection>();

  const markDown = (index: number) => {
    if (downUntil[index]! < Date.now()) counters.failovers++;
    downUntil[index] = Date.now() + settings.hostRetryMs;
  };

  /**
   * A Galera node that is joining or cut off from the primary component answers 1047 to
   * queries; a node that failed is probed before use. Answers 'ready', 'not ready', or 'stale'
   * (the pooled connection itself died with the old server: drop it and take another).
   */
  const probe = (conn: PoolConnection) =>
    new Promise<'ready' | 'not ready' | 'stale'>((resolve) =>
      conn.query("SHOW STATUS LIKE 'wsrep_ready'", (error, rows) => {
        if (error) return resolve(isDatabaseUnavailable(error) && error.fatal ? 'stale' : 'not ready');
        const value = (rows as Array<{ Value?: string }>)[0]?.Value;
        resolve(value === undefined || value === 'ON' ? 'ready' : 'not ready');
      }),
    );

  function wrap(conn: PoolConnection, index: number): MysqlPoolConnection {
    let inTransaction = false;
    const query = (text: string, parameters: unknown[], callback?: (error: unknown, result: unknown) => void) => {
      if (!callback) return conn.query(text, parameters);
      const run = (attempt: number) => {
        conn.query(text, parameters, (error, result) => {
          if (error) {
            // 1213 only: a lock wait timeout (1205) would wait innodb_lock_wait_timeout again per attempt
            if (error.errno === 1213 && !inTransaction && attempt < settings.statementAttempts) {
              counters.statementRetries++;
              void sleep(2 + Math.random() * 8 * attempt).then(() => run(attempt + 1));
              return;
            }
            if (error.errno === 1213) inTransaction = false; // the server rolled the whole transaction back
            if (isDatabaseUnavailable(error)) markDown(index);
          } else if (BEGIN.test(text)) inTransaction = true;
          else if (END.test(text)) inTransaction = false;
          callback(error, result);
        });
      };
      run(1);
      return undefined;
    };
    return { query: query as MysqlPoolConnection['query'], release: () => conn.release() };
  }

  function acquire(order: number[], callback: (error: unknown, connection: MysqlPoolConnection) => void, lastError?: unknown, staleLeft = Number(options.connectionLimit ?? 10)): void {
    const index = order[0];
    if (index === undefined) return callback(lastError, undefined as never);
    // one host: nothing to fail over to, and a query on a node that is not ready answers 1047 (503) by itself
    const recovering = hosts.length > 1 && downUntil[index]! > 0;
    pools[index]!.getConnection((error, conn) => {
      if (error) {
        if (!isDatabaseUnavailable(error)) return callback(error, undefined as never);
        markDown(index);
        return acquire(order.slice(1), callback, error);
      }
      const handOut = () => {
        let connection = wrapped.get(conn);
        if (!connection) wrapped.set(conn, (connection = wrap(conn, index)));
        callback(null, connection);
      };
      if (!recovering) return handOut();
      void probe(conn).then((state) => {
        if (state === 'ready') {
          downUntil[index] = 0;
          return handOut();
        }
        conn.destroy();
        if (state === 'stale' && staleLeft > 0) return acquire(order, callback, lastError, staleLeft - 1);
        markDown(index);
        acquire(order.slice(1), callback, Object.assign(new Error('database node is not ready'), { errno: 1047 }));
      });
    });
  }

  return {
    getConnection(callback) {
      const now = Date.now();
      const all = hosts.map((_, i) => i);
      // hosts that are up first, in URL order; then the ones marked down, in case all are
      const order = [...all.filter((i) => downUntil[i]! <= now), ...all.filter((i) => downUntil[i]! > now)];
      acquire(order, callback);
    },
    end(callback) {
      Promise.all(pools.map((pool) => new Promise<void>((resolve, reject) => pool.end((error) => (error ? reject(error) : resolve())))))
        .then(() => callback(null))
        .catch((error: unknown) => callback(error));
    },
  };
}

/** Parses `mysql://user:password@h1:p1,h2:p2/db?…` (one host or several). */
export function parseMysqlUrl(url: string): { hosts: MysqlHost[]; user: string; password: string; database: string | undefined; params: URLSearchParams } {
  const match = /^(?:mysql|mariadb):\/\/(?:([^@/]*)@)?([^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) throw new TypeError('mysql URL must be mysql://user:password@host:port[,host:port…]/database');
  const [user = '', password = ''] = (match[1] ?? '').split(/:(.*)/s);
  const hosts = match[2]!.split(',').map((entry) => {
    const parsed = new URL(`mysql://${entry}`);
    if (!parsed.hostname) throw new TypeError('mysql URL has an empty host');
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port ? Number(parsed.port) : 3306 };
  });
  return {
    hosts,
    user: decodeURIComponent(user),
    password: decodeURIComponent(password),
    database: decodeURIComponent((match[3] ?? '').replace(/^\//, '')) || undefined,
    params: new URLSearchParams((match[4] ?? '').slice(1)),
  };
}
