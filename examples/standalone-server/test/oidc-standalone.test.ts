import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { authorizeWithPassword, discover } from '../../../packages/oidc/test/support.js';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist/main.js');
const CLI = join(ROOT, 'dist/cli.js');

describe('standalone server: OpenID provider (oidc)', function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess | undefined;
  let port = 0;
  const env = () => ({ PATH: process.env['PATH'], W3KIT_DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'warn' });
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, [CLI, ...args], { env: env(), encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr, json: () => JSON.parse(run.stdout) as Record<string, unknown> & Record<string, unknown>[] };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-oidc-'));
    // A free port, so that PUBLIC_URL (and with it the issuer) is the URL the server answers at.
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
  });
  after(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('`w3kit oidc client create|list|delete` registers relying parties; the secret is shown once', () => {
    const created = cli('oidc', 'client', 'create', '--name', 'Shop', '--redirect-uri', 'https://shop.example/cb', '--public');
    assert.equal(created.status, 0, created.stderr);
    const { client_id, client_secret, token_endpoint_auth_method } = created.json();
    assert.match(String(client_id), /^w3c_/);
    assert.equal(client_secret, undefined, 'a public client has no secret');
    assert.equal(token_endpoint_auth_method, 'none');
    const listed = cli('oidc', 'client', 'list').json() as unknown as Record<string, unknown>[];
    assert.deepEqual(
      listed.map((c) => c['client_id']),
      [client_id],
    );
    assert.ok(!JSON.stringify(listed).includes('secret'));
    assert.equal(cli('oidc', 'client', 'delete', '--client-id', String(client_id)).status, 0);
    const again = cli('oidc', 'client', 'delete', '--client-id', String(client_id));
    assert.equal(again.status, 2);
    assert.match(again.stderr, /no client has the id/);
    const bad = cli('oidc', 'client', 'create', '--name', 'Shop', '--redirect-uri', 'not a url');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /redirect URI "not a url" is not an absolute URL/);
  });

  it('a client made by the CLI signs a CLI-made user in through the running server; `keys rotate` moves the OP to a new kid', async () => {
    const made = cli('oidc', 'client', 'create', '--name', 'Shop', '--redirect-uri', 'http://127.0.0.1:9/cb').json();
    assert.match(String(made['client_secret']), /^w3kcs_/);
    assert.equal(cli('user', 'create', '--id', 'grace', '--password', 'correct horse battery', '--email', 'grace@example.com').status, 0);
    child = spawn(process.execPath, [MAIN], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise<string>((ok, fail) => {
      child!.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) ok(match[1]!);
      });
      child!.once('exit', (code) => fail(new Error(`server exited with ${code}: ${output}`)));
    });
    const config = await discover(`${url}/oidc`, String(made['client_id']), String(made['client_secret']));
    assert.equal(config.serverMetadata().issuer, `${url}/oidc`);
    const { callback } = await authorizeWithPassword(config, { redirectUri: 'http://127.0.0.1:9/cb', login: 'grace', opOrigin: url });
    assert.ok(callback.searchParams.get('code'), callback.href);
    const before = ((await (await fetch(`${url}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const rotated = cli('keys', 'rotate');
    assert.equal(rotated.status, 0, rotated.stderr);
    const oidcKid = String(rotated.json()['oidc_kid']);
    await new Promise((r) => setTimeout(r, 5200)); // the running server rereads its key set within 5 s
    const after = ((await (await fetch(`${url}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    assert.deepEqual(after, [oidcKid, ...before], 'the new key first (it signs), the earlier one still published');
  });
});
