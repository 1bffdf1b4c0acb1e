// Password-hash flooding of the Finenex login (issue 11, item 10), against a real HTTP server on
// loopback with production-cost scrypt (128 MiB): clients come from distinct loopback addresses
// (127.0.0.1, 127.0.0.2, …), so `ctx.ip` is each one's own socket address.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit, type KitConfigInput } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import Koa from 'koa';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  ms: number;
}

/** POSTs JSON from `localAddress` on a fresh connection. */
function post(url: string, path: string, body: unknown, localAddress: string): Promise<Answer> {
  const began = performance.now();
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Record<string, unknown>, ms: performance.now() - began }));
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

// One key for every kit of a database: the token signing key is stored sealed under it.
const MASTER_KEY = randomBytes(32).toString('hex');

async function serve(databaseUrl: string, config: Partial<KitConfigInput>): Promise<{ kit: Kit; url: string; close(): Promise<void> }> {
  const kit = await createKit({
    database: databaseUrl,
    plugins: [auth()],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey: MASTER_KEY, mode: 'test', housekeepingIntervalSeconds: 0, ...config },
  });
  const app = new Koa();
  app.silent = true;
  app.use(kit.middleware());
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    kit,
    url,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await kit.close();
    },
  };
}

interface FloodSummary {
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** The first few 503 answers. */
  shed: { retryAfter: string | undefined; body: Record<string, unknown> }[];
}

// The flood runs in its own process, as an attacker's would: its 40 loops must not share the
// event loop of the server or of the legitimate client being measured.
const FLOOD_CLIENT = `
const [url, localAddress, concurrency] = process.argv.slice(1);
const statuses = {};
const shed = [];
let flooding = true;
process.stdin.on('end', () => (flooding = false)).resume();
let n = 0;
const once = () => new Promise((resolve) => {
  const payload = JSON.stringify({ id: 'unknown-' + process.pid + '-' + n++, password: 'guess' });
  const req = http.request(url + '/v2/auth/auth-user', { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => {
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 503 && shed.length < 20) shed.push({ retryAfter: res.headers['retry-after'], body: JSON.parse(text) });
      resolve();
    });
  });
  req.on('error', () => { statuses.error = (statuses.error ?? 0) + 1; resolve(); });
  req.end(payload);
});
const deadline = Date.now() + 60000; // bounded in time and count whatever happens to the parent
const loop = async () => { for (let i = 0; flooding && i < 2000 && Date.now() < deadline; i++) await once(); };
process.stdout.write('started\\n');
Promise.all(Array.from({ length: Number(concurrency) }, loop)).then(() => process.stdout.write(JSON.stringify({ statuses, shed }) + '\\n'));
`;

/** Starts `concurrency` loops of unknown-id logins from `localAddress`; `stop()` ends them and sums them up. */
function startFlood(url: string, localAddress: string, concurrency: number): { started: Promise<void>; stop(): Promise<FloodSummary> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import http from 'node:http';${FLOOD_CLIENT}`, url, localAddress, String(concurrency)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => ((output += chunk), output.includes('started') && resolve()));
    void exited.then(() => reject(new Error(`the flood client exited early: ${output}`)));
  });
  return {
    started,
    async stop() {
      child.stdin.end();
      await exited;
      return JSON.parse(output.slice(output.indexOf('\n') + 1)) as FloodSummary;
    },
  };
}

const FLOOD_IP = '127.0.0.1';
const USER_IP = '127.0.0.2';
const PASSWORD = 'correct horse battery';

for (const kind of testDatabases()) {
  describe(`security login: password-hash flooding of /v2/auth/auth-user (${kind})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
    });
    after(async () => {
      await db.drop();
    });

    it('30 tries per client IP per minute, whatever the ids, then 429 in the Finenex format; another IP keeps its own', async () => {
      const server = await serve(db.url, { passwordHashCost: 10 });
      try {
        for (let i = 0; i < 30; i++) {
          const res = await post(server.url, '/v2/auth/auth-user', { id: `nobody-${i}`, password: 'guess' }, FLOOD_IP);
          assert.equal(res.status, 401, `try ${i}`);
        }
        const limited = await post(server.url, '/v2/auth/auth-user', { id: 'nobody-30', password: 'guess' }, FLOOD_IP);
        assert.equal(limited.status, 429);
        assert.ok(Number(limited.headers['retry-after']) > 0);
        assert.deepEqual(limited.body, {
          status: 429,
          error: 'Too Many Requests',
          code: 'RATE_LIMITED',
          message: 'Too many requests; try again later.',
          path: '/v2/auth/auth-user',
          retry_after_seconds: Number(limited.headers['retry-after']),
        });
        const completed = server.kit.services.hashingQueue.stats().completed;
        await post(server.url, '/v2/auth/auth-user', { id: 'nobody-31', password: 'guess' }, FLOOD_IP);
        assert.equal(server.kit.services.hashingQueue.stats().completed, completed, 'a limited try costs no hash');
        assert.equal((await post(server.url, '/v2/auth/auth-user', { id: 'nobody-0', password: 'guess' }, '127.0.0.3')).status, 401);
      } finally {
        await server.close();
      }
    });

    it('a legitimate login during a flood of 40 concurrent unknown-id tries answers in under 2 s; the flood is shed with 503 and retry-after', async function () {
      this.timeout(120_000);
      // Production cost; the per-IP limit raised so the flood reaches the hashing queue.
      const server = await serve(db.url, { passwordHashCost: 17, rateLimits: { 'auth.login.ip': { limit: 100_000, windowSeconds: 60 } } });
      try {
        await server.kit.services.accountService.createEndUser({ loginId: 'flood-victim', password: PASSWORD });
        const quiet = await post(server.url, '/v2/auth/auth-user', { id: 'flood-victim', password: PASSWORD }, USER_IP);
        assert.equal(quiet.status, 200);

        const flood = startFlood(server.url, FLOOD_IP, 40);
        const logins: Answer[] = [];
        let summary: FloodSummary;
        try {
          await flood.started;
          await new Promise((resolve) => setTimeout(resolve, 500)); // the queue is full by now
          for (let i = 0; i < 3; i++) logins.push(await post(server.url, '/v2/auth/auth-user', { id: 'flood-victim', password: PASSWORD }, USER_IP));
        } finally {
          summary = await flood.stop();
        }

        for (const login of logins) {
          assert.equal(login.status, 200, JSON.stringify(login.body));
          assert.equal(login.body['userId'], 'flood-victim');
          assert.ok(login.ms < 2000, `a login during the flood took ${Math.round(login.ms)} ms (quiet: ${Math.round(quiet.ms)} ms; flood ${JSON.stringify(summary.statuses)})`);
        }
        assert.ok((summary.statuses['503'] ?? 0) > 0, `the flood was shed: ${JSON.stringify(summary.statuses)}`);
        assert.ok((summary.statuses['401'] ?? 0) > 0, 'and partly served (401)');
        assert.deepEqual(Object.keys(summary.statuses).sort(), ['401', '503']);
        assert.ok(summary.shed.length > 0);
        for (const answer of summary.shed) {
          const retryAfter = Number(answer.retryAfter);
          assert.ok(retryAfter >= 1);
          assert.deepEqual(answer.body, {
            status: 503,
            error: 'Service Unavailable',
            code: 'SERVICE_UNAVAILABLE',
            message: 'Too many password checks are waiting; try again shortly.',
            path: '/v2/auth/auth-user',
            retry_after_seconds: retryAfter,
          });
        }
        const stats = server.kit.services.hashingQueue.stats();
        assert.ok(stats.running + stats.waiting === 0, 'the queue drained');
      } finally {
        await server.close();
      }
    });
  });
}
