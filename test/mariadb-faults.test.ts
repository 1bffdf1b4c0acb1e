/**
 * Faults around the database, with standalone server processes on a throwaway MariaDB of this
 * file's own (the shared one cannot be killed): MariaDB crashing mid-run and coming back, and a
 * server shut down with SIGTERM while a request is in flight.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { requireOrSkip, testDatabases, wantedDatabases } from '@w3kit/core/testing';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import request from 'supertest';
import { mariadbAvailable, startMariadb, type ThrowawayMariadb } from '../scripts/mariadb.mjs';
import { eventually, mintBody, openOperator, PASSWORD, type Operator } from './deployment-fixtures.js';
import { connectionsRefused, deploymentEnv, startServerProcess, stopAllServerProcesses, type ServerProcess } from './server-process.js';

/** How long any request may take while the database is down. */
const OUTAGE_ANSWER_MS = 3000;
/** How long the servers may take to serve again once the database is back. */
const RECOVERY_MS = 10_000;

const UNAVAILABLE = 'The service is temporarily unavailable.';

interface Answer {
  status: number;
  body: unknown;
  ms: number;
}

/** One JSON request with fetch, timed, never waiting longer than 10 s (a hang fails the test instead of stalling it). */
async function timed(url: string, method: string, path: string, { bearer, body }: { bearer?: string; body?: unknown } = {}): Promise<Answer> {
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

describe('mariadb', () => {
  describe('faults: MariaDB crashes and comes back; SIGTERM with a request in flight', function () {
    this.timeout(60_000);
    let mariadb: ThrowawayMariadb | undefined;
    let admin: Pool | undefined; // a pool: its connections die with MariaDB and are replaced
    const databases: string[] = [];

    /** Without MariaDB these tests skip loudly, and fail in CI (`requireOrSkip`); W3KIT_TEST_DATABASES may leave them out. */
    function needMariadb(ctx: Mocha.Context): void {
      if (mariadb) return;
      if (!wantedDatabases().includes('mariadb')) return ctx.skip();
      requireOrSkip(ctx, 'MariaDB', !testDatabases().includes('mariadb') ? 'MYSQL_URL is not set' : 'mariadbd is not installed (this file starts its own server)');
    }

    before(async () => {
      if (!testDatabases().includes('mariadb') || !mariadbAvailable()) return;
      mariadb = await startMariadb({ bufferPoolSize: '64M' });
      admin = createPool({ uri: mariadb.url, connectionLimit: 2 });
    });
    after(async () => {
      await stopAllServerProcesses();
      await admin?.end().catch(() => {});
      await mariadb?.stop();
    });

    /** A new database on the throwaway server and a deployment env for it. */
    async function deployment(name: string): Promise<Record<string, string>> {
      await admin!.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      databases.push(name);
      return deploymentEnv(`${mariadb!.url}${name}`);
    }

    const rows = async (query: string, params: unknown[] = []) => (await admin!.query<RowDataPacket[]>(query, params))[0];

    it('MariaDB crashes mid-run: clean 503s in each wire format, no hang, processes stay up; both serve again by themselves; acknowledged writes are all there', async function () {
      needMariadb(this);
      const env = await deployment('w3kit_faults_restart');
      const a = await startServerProcess(env);
      const b = await startServerProcess(env);
      const operator: Operator = await openOperator(env);
      try {
        const [org, holder] = await Promise.all([operator.organization(a), operator.endUser(b)]);
        await operator.close();
        const servers = [a, b];
        const mint = (server: ServerProcess, serial: number) => timed(server.url, 'POST', `/rest/v1/nft/mint/to/${holder.address}`, { bearer: org.bearer, body: mintBody(serial) });

        // acknowledged writes: mints answered 200 by either instance, some while MariaDB is killed
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
        await mariadb!.shutdown({ crash: true });
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
            ['my_info', timed(server.url, 'GET', '/rest/v1/account/my_info', { bearer: holder.bearer }), 503, { status: 'error', result: null, error: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE } }],
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

        // MariaDB comes back; the servers reconnect by themselves
        await mariadb!.restart();
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
        const stored = (await rows('SELECT token_id FROM w3kit_faults_restart.nft_tokens WHERE holder_account_id = ?', [holder.id])).map((r) => r['token_id'] as string);
        assert.deepEqual(acknowledged.filter((id) => !stored.includes(id)), [], 'acknowledged mints missing after the crash');
        assert.ok(stored.length <= acknowledged.length + failedDuringCrash.length, `${stored.length} rows for ${acknowledged.length} acknowledged mints`);
        assert.equal((await rows('SELECT COUNT(*) n FROM w3kit_faults_restart.auth_accounts WHERE id IN (?, ?)', [org.id, holder.id]))[0]!['n'], 2);
      } finally {
        await operator.close().catch(() => {});
        await Promise.all([a.stop(), b.stop()]);
        if (mariadb!.pid === undefined) await mariadb!.restart(); // failed during the outage: the next test needs it
      }
    });

    it('SIGTERM with a request in flight: it completes with 200, new connections are refused, exit 0, pool connections closed properly', async function () {
      needMariadb(this);
      const env = await deployment('w3kit_faults_shutdown');
      const server = await startServerProcess(env);
      const operator = await openOperator(env);
      const user = await operator.endUser(server);
      await operator.close();
      const connections = async () => Number((await rows("SELECT COUNT(*) n FROM information_schema.PROCESSLIST WHERE USER = 'w3kit' AND DB = 'w3kit_faults_shutdown'"))[0]!['n']);
      const abortedClients = async () => Number((await rows("SHOW GLOBAL STATUS LIKE 'Aborted_clients'"))[0]!['Value']);

      // a few concurrent requests open several pool connections
      await Promise.all(Array.from({ length: 4 }, () => request(server.url).get('/rest/v1/account/my_info').set('authorization', user.bearer).expect(200)));
      const open = await connections();
      assert.ok(open >= 1, `the server holds ${open} connections`);
      const abortedBefore = await abortedClients();

      // The request is held open deterministically: with `Expect: 100-continue` the server answers
      // "100 Continue" only once it has read the headers and handed the request to the kit, which
      // then waits for the body. The body is sent after SIGTERM.
      const body = JSON.stringify({ id: user.loginId, password: PASSWORD });
      const inFlight = httpRequest(`${server.url}/v2/auth/auth-user`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue', connection: 'close' },
      });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        inFlight.once('response', (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        inFlight.once('error', reject);
      });
      response.catch(() => {}); // awaited below; only a test that failed earlier leaves it unobserved
      try {
        const continued = new Promise<void>((resolve) => inFlight.once('continue', resolve));
        inFlight.flushHeaders();
        await continued;

        server.child.kill('SIGTERM');
        assert.ok(await connectionsRefused(server.url), 'new connections are refused after SIGTERM');
        assert.equal(server.child.exitCode, null, 'the process waits for the request in flight');
        inFlight.end(body);
        const answer = await response;
        assert.equal(answer.status, 200, answer.body);
        assert.match(JSON.parse(answer.body).token as string, /^ey/);
        assert.equal(await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 5000))]), 0);
      } finally {
        inFlight.destroy();
      }

      // closed by the pool (COM_QUIT), not dropped when the process died: MariaDB counts a client
      // that vanishes without saying goodbye in Aborted_clients
      await eventually('the server’s connections are gone', async () => (await connections()) === 0, 3000);
      assert.equal(await abortedClients(), abortedBefore, 'connections were closed properly');
      await server.stop();
    });
  });
});
