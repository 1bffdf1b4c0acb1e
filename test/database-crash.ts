/**
 * The database crashes mid-run and comes back, with two standalone server processes on it: the
 * fault scenario every engine runs (test/mariadb-faults.test.ts, test/postgres-faults.test.ts).
 */
import assert from 'node:assert/strict';
import { eventually, mintBody, openOperator, PASSWORD, type Operator } from './deployment-fixtures.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** How long any request may take while the database is down. */
export const OUTAGE_ANSWER_MS = 3000;
/** How long the servers may take to serve again once the database is back. */
const RECOVERY_MS = 10_000;

export const UNAVAILABLE = 'The service is temporarily unavailable.';

export interface Answer {
  status: number;
  body: unknown;
  ms: number;
}

/** One JSON request with fetch, timed, never waiting longer than 10 s (a hang fails the test instead of stalling it). */
export async function timed(url: string, method: string, path: string, { bearer, body }: { bearer?: string; body?: unknown } = {}): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(bearer ? { authorization: bearer } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, ms: Date.now() - started };
}

export interface CrashableDatabase {
  /** The deployment env of a fresh database on the crashable server. */
  env: Record<string, string>;
  /** SIGKILL the server (and, on PostgreSQL, its backends). */
  crash(): Promise<void>;
  /** Starts it again on the same datadir and port. */
  restart(): Promise<void>;
  /** True while the server is down (a test that failed mid-outage restarts it for the next). */
  isDown(): boolean;
  /** token_id of every stored token of the holder. */
  storedTokens(holderAccountId: string): Promise<string[]>;
  /** How many of these accounts are stored. */
  countAccounts(ids: string[]): Promise<number>;
}

/**
 * Clean 503s in each wire format during the outage, no hang, processes stay up; both serve again
 * by themselves once the database is back; every acknowledged write is there afterwards.
 */
export async function crashAndComeBack(database: CrashableDatabase): Promise<void> {
  const env = database.env;
  const a = await startServerProcess(env);
  const b = await startServerProcess(env);
  const operator: Operator = await openOperator(env);
  try {
    const [org, holder] = await Promise.all([operator.organization(a), operator.endUser(b)]);
    await operator.close();
    const servers = [a, b];
    const mint = (server: ServerProcess, serial: number) => timed(server.url, 'POST', `/rest/v1/nft/mint/to/${holder.address}`, { bearer: org.bearer, body: mintBody(serial) });

    // acknowledged writes: mints answered 200 by either instance, some while the database is killed
    const acknowledged: string[] = [];
    const failedDuringCrash: Answer[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await mint(servers[i % 2]!, i);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      acknowledged.push((res.body as { result: { token_id: string } }).result.token_id);
    }
    // one client per instance mints back to back until its first failure, which the crash causes
    const load = servers.map(async (server, s) => {
      for (let i = 0; ; i++) {
        const res = await mint(server, 100 * (s + 1) + i);
        if (res.status !== 200) return failedDuringCrash.push(res);
        acknowledged.push((res.body as { result: { token_id: string } }).result.token_id);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await database.crash();
    await Promise.all(load);
    assert.equal(failedDuringCrash.length, 2);
    for (const res of failedDuringCrash) {
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.deepEqual(res.body, { status: 'error', result: null, error: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE } });
      assert.ok(res.ms < OUTAGE_ANSWER_MS, `a mint during the crash took ${res.ms} ms`);
    }

    // during the outage: every route fails fast, in its own wire format
    for (const server of servers) {
      const probes: [string, Promise<Answer>, number, unknown][] = [
        ['readyz', timed(server.url, 'GET', '/readyz'), 503, { status: 'unavailable', database: 'down' }],
        ['healthz', timed(server.url, 'GET', '/healthz'), 200, { status: 'ok' }],
        [
          'my_info',
          timed(server.url, 'GET', '/rest/v1/account/my_info', { bearer: holder.bearer }),
          503,
          { status: 'error', result: null, error: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE } },
        ],
        ['mint', mint(server, 999), 503, { status: 'error', result: null, error: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE } }],
        ['phone code', timed(server.url, 'POST', '/api/attestations/phone/generate-code', { body: { phone: '+14155552671' } }), 503, { errors: [UNAVAILABLE] }],
        [
          'password login',
          timed(server.url, 'POST', '/v2/auth/auth-user', { body: { id: holder.loginId, password: PASSWORD } }),
          503,
          { status: 503, error: 'Service Unavailable', code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE, path: '/v2/auth/auth-user' },
        ],
      ];
      for (const [what, answer, status, body] of probes) {
        const res = await answer;
        assert.deepEqual([res.status, res.body], [status, body], what);
        assert.ok(res.ms < OUTAGE_ANSWER_MS, `${what} took ${res.ms} ms`);
      }
    }
    // a burst on both instances at once: all answered, all 503, none slow
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => timed(servers[i % 2]!.url, 'GET', '/rest/v1/account/my_info', { bearer: holder.bearer })));
    assert.deepEqual([...new Set(burst.map((r) => r.status))], [503]);
    assert.ok(Math.max(...burst.map((r) => r.ms)) < OUTAGE_ANSWER_MS, `slowest burst answer: ${Math.max(...burst.map((r) => r.ms))} ms`);
    for (const server of servers) assert.equal(server.child.exitCode, null, 'the server process is still up');

    // the database comes back; the servers reconnect by themselves
    await database.restart();
    const restartedAt = Date.now();
    for (const server of servers) {
      await eventually('/readyz answers 200 again', async () => (await timed(server.url, 'GET', '/readyz')).status === 200, RECOVERY_MS);
      const me = await timed(server.url, 'GET', '/rest/v1/account/my_info', { bearer: holder.bearer });
      assert.equal(me.status, 200, JSON.stringify(me.body));
      const res = await mint(server, 1000 + servers.indexOf(server));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      acknowledged.push((res.body as { result: { token_id: string } }).result.token_id);
    }
    assert.ok(Date.now() - restartedAt < RECOVERY_MS);
    const login = await timed(a.url, 'POST', '/v2/auth/auth-user', { body: { id: holder.loginId, password: PASSWORD } });
    assert.equal(login.status, 200, JSON.stringify(login.body));

    // everything acknowledged is there. A mint whose COMMIT landed just before the crash but
    // whose answer was lost may be there too (in doubt), but nothing beyond that.
    const stored = await database.storedTokens(holder.id);
    assert.deepEqual(
      acknowledged.filter((id) => !stored.includes(id)),
      [],
      'acknowledged mints missing after the crash',
    );
    assert.ok(stored.length <= acknowledged.length + failedDuringCrash.length, `${stored.length} rows for ${acknowledged.length} acknowledged mints`);
    assert.equal(await database.countAccounts([org.id, holder.id]), 2);
  } finally {
    await operator.close().catch(() => {});
    await Promise.all([a.stop(), b.stop()]);
    if (database.isDown()) await database.restart(); // failed during the outage: the next test needs it
  }
}
