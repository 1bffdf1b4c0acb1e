// Composition as a host sees it: a host that installs only the attestations plugin runs it with
// nothing else installed or configured, and nft without auth is refused at startup, by name.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { nft } from '@w3kit/nft';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// A host of its own, outside the workspace: its node_modules holds only @w3kit/core,
// @w3kit/attestations and koa, so importing any other plugin fails the way it would in an app
// that never installed it. It records the email it is asked to send and serves it on /outbox.
const HOST = `
import Koa from 'koa';
import { createKit } from '@w3kit/core';
import { attestations } from '@w3kit/attestations';

const unresolvable = [];
for (const name of ['@w3kit/auth', '@w3kit/nft', '@w3kit/did']) {
  try { await import(name); } catch (error) { if (error.code === 'ERR_MODULE_NOT_FOUND') unresolvable.push(name); else throw error; }
}
const outbox = [];
const kit = await createKit({
  database: 'sqlite::memory:',
  plugins: [attestations({ signerKey: process.env.SIGNER_KEY })],
  services: { emailSender: { development: false, send: async (message) => { outbox.push(message); } } },
  config: { masterKey: process.env.MASTER_KEY, mode: 'test' },
});
const app = new Koa();
app.use(kit.middleware());
app.use((ctx) => { if (ctx.path === '/outbox') ctx.body = outbox; });
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, unresolvable, routes: kit.routes }) + '\\n');
});
process.on('SIGTERM', () => server.close(() => kit.close().then(() => process.exit(0))));
`;

interface HostStarted {
  port: number;
  unresolvable: string[];
  routes: string[];
}

function linkPackage(modules: string, name: string, target: string): void {
  const at = join(modules, name);
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, 'dir');
}

describe('composition: a host mounting only some plugins', () => {
  let dir: string;
  let host: ReturnType<typeof spawn> | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-host-'));
    const modules = join(dir, 'node_modules');
    linkPackage(modules, '@w3kit/core', join(root, 'packages/core'));
    linkPackage(modules, '@w3kit/attestations', join(root, 'packages/attestations'));
    linkPackage(modules, 'koa', join(root, 'packages/core/node_modules/koa'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'host', private: true, type: 'module' }));
    writeFileSync(join(dir, 'host.mjs'), HOST);
  });

  after(() => {
    host?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a host with only @w3kit/attestations installed starts and runs the email attestation flow', async () => {
    const signerKey = `0x${randomBytes(32).toString('hex')}`;
    host = spawn(process.execPath, ['host.mjs'], {
      cwd: dir,
      env: { PATH: process.env['PATH'], SIGNER_KEY: signerKey, MASTER_KEY: randomBytes(32).toString('hex') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    host.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const started = await new Promise<HostStarted>((resolveStart, reject) => {
      let out = '';
      host!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('\n')) resolveStart(JSON.parse(out.slice(0, out.indexOf('\n'))) as HostStarted);
      });
      host!.once('exit', (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
    });

    assert.deepEqual(started.unresolvable, ['@w3kit/auth', '@w3kit/nft', '@w3kit/did']);
    assert.ok(started.routes.includes('POST /api/attestations/email/verify'));
    assert.ok(!started.routes.some((r) => r.includes('/rest/v1') || r.includes('/v2/')), started.routes.join(', '));

    const base = `http://127.0.0.1:${started.port}`;
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const email = 'ada@example.com';
    const identity = '0x112234455C3a32FD11230C42E7Bccd4A84e02010';
    assert.equal((await post('/api/attestations/email/generate-code', { email })).status, 200);
    const outbox = (await (await fetch(`${base}/outbox`)).json()) as { to: string; text: string }[];
    assert.equal(outbox.length, 1);
    assert.equal(outbox[0]!.to, email);
    const code = /\b(\d{6})\b/.exec(outbox[0]!.text)?.[1];
    assert.ok(code, outbox[0]!.text);

    const wrong = await post('/api/attestations/email/verify', { identity, email, code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 422);
    assert.ok(Array.isArray(((await wrong.json()) as { errors: unknown }).errors));

    const verified = await post('/api/attestations/email/verify', { identity, email, code });
    assert.equal(verified.status, 200, stderr);
    const claim = (await verified.json()) as Record<string, unknown>;
    assert.equal(claim['claim-type'], 11);
    assert.match(String(claim['signature']), /^0x[0-9a-f]{130}$/);

    // The plugins that are not installed are not served: the kit passes the request on.
    assert.equal((await fetch(`${base}/rest/v1/account/my_info`)).status, 404);
    host.kill('SIGTERM');
    assert.equal(await new Promise((done) => host!.once('exit', done)), 0);
    host = undefined;
  });

  it('nft without auth is refused at startup, naming the missing plugin and the fix', async () => {
    await assert.rejects(
      createKit({ database: 'sqlite::memory:', plugins: [nft()], logger: createLogger({ level: 'silent' }), config: { masterKey: randomBytes(32).toString('hex'), mode: 'test' } }),
      { name: 'TypeError', message: 'createKit: plugin "nft" requires plugin "auth", which is not composed; add auth() to plugins' },
    );
  });

  it('the order of plugins does not matter: nft before auth starts', async () => {
    const kit = await createKit({
      database: 'sqlite::memory:',
      plugins: [nft(), auth()],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: randomBytes(32).toString('hex'), mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0 },
    });
    try {
      assert.ok(kit.routes.includes('GET /rest/v1/nft/minted_by_me'), kit.routes.join(', '));
      // nft's services resolve auth's contracts whatever the order of registration.
      assert.equal(typeof kit.services.nftService.mint, 'function');
    } finally {
      await kit.close();
    }
  });
});
