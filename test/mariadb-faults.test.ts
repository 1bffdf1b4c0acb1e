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
import { crashAndComeBack } from './database-crash.js';
import { eventually, openOperator, PASSWORD } from './deployment-fixtures.js';
import { connectionsRefused, deploymentEnv, startServerProcess, stopAllServerProcesses } from './server-process.js';

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
      await crashAndComeBack({
        env: await deployment('w3kit_faults_restart'),
        crash: () => mariadb!.shutdown({ crash: true }),
        restart: () => mariadb!.restart(),
        isDown: () => mariadb!.pid === undefined,
        storedTokens: async (holder) => (await rows('SELECT token_id FROM w3kit_faults_restart.nft_tokens WHERE holder_account_id = ?', [holder])).map((r) => r['token_id'] as string),
        countAccounts: async (ids) => Number((await rows('SELECT COUNT(*) n FROM w3kit_faults_restart.auth_accounts WHERE id IN (?)', [ids]))[0]!['n']),
      });
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
