import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadServerConfig } from '@w3kit/standalone-server';
import { productionEnv, startServer } from './newcomer-support.js';

const MAIN = join(resolve(import.meta.dirname, '..'), 'dist/main.js');

/** A production configuration that starts (newcomer-support's), on any free port. */
const goodEnv = (dir: string): Record<string, string> => ({ ...productionEnv(dir), PORT: '0' });

/** Runs the built server with `env` (nothing else of this process's environment) and expects it to refuse. */
function refusal(env: Record<string, string | undefined>): { status: number | null; stderr: string } {
  const clean = Object.fromEntries<string | undefined>(Object.entries({ PATH: process.env['PATH'], ...env }).filter(([, v]) => v !== undefined));
  const run = spawnSync(process.execPath, [MAIN], { env: clean, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('standalone production settings: refusals and opt-outs (built server, NODE_ENV=production)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-prod-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const refusals: [string, (env: Record<string, string>) => Record<string, string | undefined>, RegExp][] = [
    ['an all-zero W3KIT_MASTER_KEY', (env) => ({ ...env, W3KIT_MASTER_KEY: '00'.repeat(32) }), /W3KIT_MASTER_KEY: uses only 1 of 256 byte values .*openssl rand -hex 32/],
    ['a repeating W3KIT_MASTER_KEY', (env) => ({ ...env, W3KIT_MASTER_KEY: `${'c0ffee11'.repeat(4)}${'c0ffee11'.repeat(4)}` }), /W3KIT_MASTER_KEY: uses only 4 of 256 byte values/],
    [
      'a counting W3KIT_MASTER_KEY',
      (env) => ({ ...env, W3KIT_MASTER_KEY: Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1)).toString('hex') }),
      /W3KIT_MASTER_KEY: is a counting sequence of bytes/,
    ],
    ['a low-entropy ATTESTATION_SIGNER_KEY', (env) => ({ ...env, ATTESTATION_SIGNER_KEY: `0x${'11'.repeat(32)}` }), /ATTESTATION_SIGNER_KEY: uses only 1 of 256 byte values/],
    [
      'an http: PUBLIC_URL',
      (env) => ({ ...env, PUBLIC_URL: 'http://id.example.test' }),
      /PUBLIC_URL: must be https: in production; behind a TLS-terminating proxy on this host that serves an http: URL, set W3KIT_ALLOW_HTTP_PUBLIC_URL=1/,
    ],
    ['an implicit SQLite database (no DATABASE_URL)', (env) => ({ ...env, DATABASE_URL: undefined }), /DATABASE_URL: required in production/],
    ['an http: TWILIO_BASE_URL', (env) => ({ ...env, TWILIO_BASE_URL: 'http://api.twilio.com' }), /TWILIO_BASE_URL: must be https: in production \(it carries the provider credentials\)/],
    [
      'http: Facebook URLs',
      (env) => ({ ...env, FACEBOOK_APP_ID: '1234', FACEBOOK_APP_SECRET: 'secret', FACEBOOK_GRAPH_URL: 'http://graph.facebook.com', FACEBOOK_DIALOG_URL: 'http://www.facebook.com' }),
      /FACEBOOK_DIALOG_URL: must be https: in production[\s\S]*FACEBOOK_GRAPH_URL: must be https: in production/,
    ],
    [
      'an http: TWITTER_API_URL',
      (env) => ({ ...env, TWITTER_CONSUMER_KEY: 'k', TWITTER_CONSUMER_SECRET: 's', TWITTER_API_URL: 'http://api.twitter.com' }),
      /TWITTER_API_URL: must be https: in production/,
    ],
    ['no ATTESTATION_APP_ORIGIN', (env) => ({ ...env, ATTESTATION_APP_ORIGIN: undefined }), /ATTESTATION_APP_ORIGIN: required in production/],
    [
      'an ATTESTATION_APP_ORIGIN with a path',
      (env) => ({ ...env, ATTESTATION_APP_ORIGIN: 'https://dapp.example.test/app' }),
      /ATTESTATION_APP_ORIGIN: "https:\/\/dapp\.example\.test\/app" is not an origin/,
    ],
    ['a TRUSTED_PROXIES entry that is no address', (env) => ({ ...env, TRUSTED_PROXIES: '10.0.0.0/8, lb.internal' }), /TRUSTED_PROXIES: "lb\.internal" is not an IP address or CIDR range/],
    [
      'HTTP limits that cannot work',
      (env) => ({ ...env, HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_MAX_CONNECTIONS: 'many' }),
      /HTTP_MAX_CONNECTIONS: "many" is not an integer of at least 1[\s\S]*HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    ],
    ['DOCS that is not a yes or no', (env) => ({ ...env, DOCS: 'maybe' }), /DOCS: use true or false \(or 1 or 0\)/],
  ];
  for (const [what, change, message] of refusals) {
    it(`refuses ${what}: exit 1, the variable and the fix on stderr, no stack trace`, () => {
      const run = refusal(change(goodEnv(dir)));
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /^w3kit: cannot start: invalid environment:/);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /at .*\.js:\d+/);
    });
  }

  it('a good production config starts (no development warning), answers with HSTS, and stops with 0', async () => {
    const server = await startServer(goodEnv(dir));
    try {
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000');
      assert.equal((await fetch(`${server.url}/docs`)).status, 200, 'docs are on by default');
      assert.doesNotMatch(server.output(), /DEVELOPMENT MODE|W3KIT_ALLOW_HTTP_PUBLIC_URL/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('W3KIT_ALLOW_HTTP_PUBLIC_URL=1 admits an http: PUBLIC_URL and says so in the log; no HSTS then; DOCS=false turns /docs, its assets and /openapi.json off', async () => {
    // The opt-out is for the kit's own URLs: an OpenID Connect issuer must be https whatever the
    // proxy (so the provider is left out with OIDC=false, the credential issuer with OID4VCI=false), and the SIWE dapp origins, which default
    // to PUBLIC_URL's, must be https in production (the dapp's own origin is named).
    const server = await startServer({
      ...goodEnv(dir),
      PUBLIC_URL: 'http://id.example.test',
      W3KIT_ALLOW_HTTP_PUBLIC_URL: '1',
      OIDC: 'false',
      OID4VCI: 'false',
      SIWE_ALLOWED_ORIGINS: 'https://id.example.test',
      DOCS: 'false',
    });
    try {
      // pino writes the line asynchronously: it may land after the `listening on` line
      for (let waited = 0; !/W3KIT_ALLOW_HTTP_PUBLIC_URL=1/.test(server.output()) && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(server.output(), /W3KIT_ALLOW_HTTP_PUBLIC_URL=1: production with an http: PUBLIC_URL/);
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.headers.get('strict-transport-security'), null);
      assert.equal((await fetch(`${server.url}/docs`)).status, 404);
      assert.equal((await fetch(`${server.url}/openapi.json`)).status, 404);
      assert.equal((await fetch(`${server.url}/docs/assets/swagger-ui-bundle.js`)).status, 404, 'the reference’s assets go with it');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('SMTP in production: smtp:// to another host must upgrade with STARTTLS; a relay on loopback and smtps:// need not', () => {
    const env = goodEnv(dir);
    assert.equal(loadServerConfig({ ...env, SMTP_URL: 'smtp://mailer:pw@mail.example.test:587' }, dir).smtpRequireTls, true);
    assert.equal(loadServerConfig({ ...env, SMTP_URL: 'smtp://127.0.0.1:25' }, dir).smtpRequireTls, false);
    assert.equal(loadServerConfig({ ...env, SMTP_URL: 'smtp://localhost' }, dir).smtpRequireTls, false);
    assert.equal(loadServerConfig({ ...env, SMTP_URL: 'smtp://u:p@localhost.evil.test' }, dir).smtpRequireTls, true);
    assert.equal(loadServerConfig({ ...env, SMTP_URL: 'smtps://mail.example.test' }, dir).smtpRequireTls, false, 'TLS from the start');
    assert.equal(loadServerConfig({ ...env, NODE_ENV: 'development', SMTP_URL: 'smtp://mail.example.test' }, dir).smtpRequireTls, false);
  });

  it('development keeps its defaults: an http: PUBLIC_URL, an implicit SQLite file, any key, http: provider stand-ins', () => {
    const config = loadServerConfig(
      { W3KIT_MASTER_KEY: '00'.repeat(32), TWILIO_ACCOUNT_SID: 'AC0123456789', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006', TWILIO_BASE_URL: 'http://127.0.0.1:9' },
      dir,
    );
    assert.equal(config.mode, 'development');
    assert.equal(config.publicUrl, 'http://127.0.0.1:3000');
    assert.deepEqual(config.trustedProxies, []);
    assert.deepEqual(config.http, { requestTimeoutMs: 30_000, headersTimeoutMs: 15_000, keepAliveTimeoutMs: 5_000, maxConnections: 1000 });
    assert.equal(config.serveDocs, true);
  });
});
