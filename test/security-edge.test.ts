/**
 * The kit's edge against real processes: the standalone server (`examples/standalone-server/dist/main.js`)
 * in production mode, reached directly and through a reverse proxy (a small `node:http` proxy
 * process that appends its peer to X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for`
 * does), and slow clients on raw sockets against the server's HTTP limits.
 *
 * Loopback has a whole /8, so each party has its own address: direct clients connect from
 * 127.0.0.1, the proxy reaches the server from 127.0.0.2 (the one trusted proxy), and the two
 * clients behind the proxy connect to it from 127.0.0.3 and 127.0.0.4.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { deploymentEnv, startServerProcess, stopAllServerProcesses, type ServerProcess } from './server-process.js';

const PROXY_ADDRESS = '127.0.0.2';
const CLIENT_A = '127.0.0.3';
const CLIENT_B = '127.0.0.4';
/** `attestations.oauth.client`: 20 OAuth flows (`auth-url`) per client IP per 10 minutes, in aligned windows. */
const OAUTH_LIMIT = 20;
const OAUTH_WINDOW_MS = 600_000;

/** A production deployment's settings, with senders that send nothing at startup (SMTP on loopback, Twilio's real https URL). */
function productionEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return deploymentEnv(databaseUrl, {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://id.example.test',
    ATTESTATION_APP_ORIGIN: 'https://dapp.example.test',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
    TWILIO_FROM: '+15005550006',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    FACEBOOK_APP_ID: '1234567890',
    FACEBOOK_APP_SECRET: randomBytes(16).toString('hex'),
    ...extra,
  });
}

// The proxy: forwards every request to the target from PROXY_ADDRESS, appending its peer to X-Forwarded-For.
const PROXY_SOURCE = `
const http = require('node:http');
const [target, localAddress] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  const peer = req.socket.remoteAddress.replace(/^::ffff:/, '');
  const prior = req.headers['x-forwarded-for'];
  const headers = { ...req.headers, 'x-forwarded-for': prior ? prior + ', ' + peer : peer };
  const upstream = http.request(target + req.url, { method: req.method, headers, localAddress, agent: false }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => console.log('proxy on http://127.0.0.1:' + server.address().port));
`;

async function startProxy(target: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['-e', PROXY_SOURCE, target, PROXY_ADDRESS], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /proxy on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`proxy exited: ${out}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a fresh connection from `localAddress` (a loopback address of the caller's choosing). */
function send(url: string, path: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; localAddress?: string } = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        localAddress: options.localAddress ?? '127.0.0.1',
        agent: false,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `GET /api/attestations/facebook/auth-url` (no provider call: it stores a flow and answers the
 * dialog URL), unauthenticated like `phone/generate-code` and limited per client IP the same way.
 */
const authUrl = (url: string, localAddress: string, forwardedFor?: string) =>
  send(url, '/api/attestations/facebook/auth-url', { localAddress, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } });

/** Statuses of `count` auth-url requests, each with a fresh spoofed X-Forwarded-For (a new "client" every time). */
async function spoofedAuthUrls(url: string, localAddress: string, count: number, spoofPrefix: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await authUrl(url, localAddress, `${spoofPrefix}.${i}, 10.9.${i}.1`)).status);
  return statuses;
}

/** Counters live in aligned windows: start well inside one, so a rollover cannot hand out a fresh budget mid-test. */
async function awayFromWindowEdge(marginMs = 30_000): Promise<void> {
  const left = OAUTH_WINDOW_MS - (Date.now() % OAUTH_WINDOW_MS);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 200));
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('security edge: client IP by TRUSTED_PROXIES, through a real reverse proxy process', function () {
      this.timeout(120_000);
      let db: TestDatabase;
      let server: ServerProcess;
      let proxy: Awaited<ReturnType<typeof startProxy>>;

      before(async () => {
        db = await createTestDatabase(kind);
        server = await startServerProcess(productionEnv(db.url, { TRUSTED_PROXIES: `${PROXY_ADDRESS}, 10.0.0.0/8, fd00::/8` }));
        proxy = await startProxy(server.url);
      });
      after(async () => {
        await proxy?.stop();
        await stopAllServerProcesses();
        await db?.drop();
      });

      it('an untrusted peer cannot pick its client IP: spoofed X-Forwarded-For, one budget (20 accepted, then 429)', async () => {
        await awayFromWindowEdge();
        const statuses = await spoofedAuthUrls(server.url, '127.0.0.1', OAUTH_LIMIT + 2, '198.51.100');
        assert.deepEqual(statuses.slice(0, OAUTH_LIMIT), Array(OAUTH_LIMIT).fill(200));
        assert.deepEqual(statuses.slice(OAUTH_LIMIT), [429, 429]);
        const refused = await authUrl(server.url, '127.0.0.1', '203.0.113.250');
        assert.equal(refused.status, 429);
        assert.deepEqual(JSON.parse(refused.body), { errors: ['Too many requests; try again later.'] });
        assert.match(String(refused.headers['retry-after']), /^\d+$/);
      });

      it('behind the trusted proxy each client has its own budget, and entries spoofed left of the proxy’s are ignored', async () => {
        await awayFromWindowEdge();
        // client A spoofs a new address on every request; the proxy appends A's real one, which is what counts
        const a = await spoofedAuthUrls(proxy.url, CLIENT_A, OAUTH_LIMIT + 1, '192.0.2');
        assert.deepEqual(a.slice(0, OAUTH_LIMIT), Array(OAUTH_LIMIT).fill(200));
        assert.equal(a[OAUTH_LIMIT], 429, 'A is limited whatever it puts in X-Forwarded-For');
        // an entry inside a trusted range would be skipped like a proxy hop, but A's own address stops the walk first
        assert.equal((await authUrl(proxy.url, CLIENT_A, '10.1.2.3')).status, 429);
        // B behind the same proxy is another client with a budget of its own
        assert.equal((await authUrl(proxy.url, CLIENT_B)).status, 200);
        assert.equal((await authUrl(proxy.url, CLIENT_B, '127.0.0.3')).status, 200, 'B naming A in the header is still B');
        assert.deepEqual(await spoofedAuthUrls(proxy.url, CLIENT_B, OAUTH_LIMIT - 2, '192.0.2'), Array(OAUTH_LIMIT - 2).fill(200));
        assert.equal((await authUrl(proxy.url, CLIENT_B)).status, 429, 'B has its own 20, no more');
      });

      it('production responses carry HSTS (https PUBLIC_URL), nosniff and no-store, in every wire format; /docs a CSP', async () => {
        const answers: Record<string, Answer> = {
          web3connect: await send(server.url, '/rest/v1/auth/account/access_token/refresh', { body: { api_key_secret: 'nope' } }),
          origin: await send(server.url, '/api/attestations/signer'),
          finenex: await send(server.url, '/v2/did/issuers'),
          kit: await send(server.url, '/healthz'),
          docs: await send(server.url, '/docs'),
        };
        for (const [format, answer] of Object.entries(answers)) {
          assert.equal(answer.headers['strict-transport-security'], 'max-age=31536000', format);
          assert.equal(answer.headers['x-content-type-options'], 'nosniff', format);
          assert.equal(answer.headers['cache-control'], 'no-store', format);
        }
        assert.equal(answers['web3connect']!.status, 401);
        assert.equal(
          answers['docs']!.headers['content-security-policy'],
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
        assert.equal(answers['docs']!.headers['x-frame-options'], 'DENY');
      });
    });
  });
}

/** A raw connection to `url` and when it was closed by the server (or a timeout if it stays open). */
function rawConnection(url: string): { socket: Socket; received: () => string; closed: Promise<number> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const opened = Date.now();
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  return { socket, received: () => received, closed };
}

/** Writes `text` one byte every `everyMs` until the socket closes; returns how many bytes went out. */
async function trickle(socket: Socket, text: string, everyMs: number): Promise<number> {
  let sent = 0;
  for (const byte of text) {
    if (socket.destroyed || !socket.writable) break;
    socket.write(byte);
    sent++;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return sent;
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms))]);

describe('security edge: HTTP server limits against slow clients (raw sockets, real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess({
      DATABASE_URL: 'sqlite::memory:',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      HTTP_MAX_CONNECTIONS: '4',
    });
  });
  after(() => stopAllServerProcesses());

  it('a body sent one byte at a time is cut off at HTTP_REQUEST_TIMEOUT_MS with 408', async () => {
    const slow = rawConnection(server.url);
    const body = JSON.stringify({ requestId: 'https://shop.example.test/login?x' });
    slow.socket.write(`POST /v2/auth/auth-user-by-app HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
    void trickle(slow.socket, body, 400);
    const ms = await within(slow.closed, 5000, 'the slow body');
    assert.ok(ms >= 1500, `closed after ${ms} ms, not before the timeout`);
    assert.match(slow.received(), /^HTTP\/1\.1 408 /);
  });

  it('headers sent one byte at a time are cut off at HTTP_HEADERS_TIMEOUT_MS', async () => {
    const slow = rawConnection(server.url);
    void trickle(slow.socket, 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n', 200);
    const ms = await within(slow.closed, 4000, 'the slow headers');
    assert.ok(ms >= 800, `closed after ${ms} ms`);
    assert.match(slow.received(), /^HTTP\/1\.1 408 /);
  });

  it('an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const idle = rawConnection(server.url);
    idle.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    const ms = await within(idle.closed, 4000, 'the idle keep-alive connection');
    assert.match(idle.received(), /^HTTP\/1\.1 200 /);
    assert.match(idle.received(), /keep-alive: timeout=1/i);
    assert.ok(ms >= 800, `closed after ${ms} ms`);
  });

  it('connections beyond HTTP_MAX_CONNECTIONS are closed on arrival; a freed slot serves again', async () => {
    const held = Array.from({ length: 4 }, () => rawConnection(server.url));
    // each holds its slot with an unfinished request line
    await Promise.all(held.map(({ socket }) => new Promise<void>((resolve) => socket.once('connect', () => socket.write('GET /hea', () => resolve())))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = rawConnection(server.url);
    extra.socket.once('connect', () => extra.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n'));
    const ms = await within(extra.closed, 1000, 'the connection over the limit');
    assert.equal(extra.received(), '', `no answer over the limit (closed after ${ms} ms)`);
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await send(server.url, '/healthz');
    assert.equal(again.status, 200);
  });
});
