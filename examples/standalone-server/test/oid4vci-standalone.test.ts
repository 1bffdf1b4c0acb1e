import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { decodeProtectedHeader } from 'jose';
import { newWallet, receiveCredential } from '../../../packages/oid4vci/test/support.js';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist/main.js');
const CLI = join(ROOT, 'dist/cli.js');

describe('standalone server: oid4vci credential issuer', function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess | undefined;
  let port = 0;
  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env['PATH'], W3KIT_DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'warn', ...extra });

  async function start(extra: Record<string, string> = {}) {
    child = spawn(process.execPath, [MAIN], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    return new Promise<string>((ok, fail) => {
      child!.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) ok(match[1]!);
      });
      child!.once('exit', (code) => fail(new Error(`server exited with ${code}: ${output}`)));
    });
  }
  async function stop() {
    const exited = new Promise((r) => child!.once('exit', r));
    child?.kill('SIGTERM');
    await exited;
    child = undefined;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-oid4vci-'));
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
  });
  after(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('composed by default: a CLI-made user offers themselves an SD-JWT VC and the library wallet receives it', async () => {
    const made = spawnSync(process.execPath, [CLI, 'user', 'create', '--id', 'grace', '--password', 'correct horse battery', '--email', 'grace@example.com'], { env: env(), encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const url = await start();
    try {
      const login = (await (
        await fetch(`${url}/v2/auth/auth-user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'grace', password: 'correct horse battery' }) })
      ).json()) as { token: string };
      const res = await fetch(`${url}/v2/oid4vci/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
        body: JSON.stringify({ credential_configuration_id: 'w3kit_profile_dc_sd_jwt' }),
      });
      assert.equal(res.status, 201);
      const offer = (await res.json()) as { credential_offer: string };
      const credential = (await receiveCredential(await newWallet(), offer.credential_offer)) as string;
      assert.equal(decodeProtectedHeader(credential.split('~')[0]!).typ, 'dc+sd-jwt');
    } finally {
      await stop();
    }
  });

  it('`w3kit keys rotate` gives the credential issuer a new key too (oid4vci_kid)', () => {
    const rotated = spawnSync(process.execPath, [CLI, 'keys', 'rotate'], { env: env(), encoding: 'utf8' });
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(String((JSON.parse(rotated.stdout) as Record<string, unknown>)['oid4vci_kid']), /^[A-Za-z0-9_-]{43}$/);
  });

  it('OID4VCI=false leaves it out: no credential issuer metadata', async () => {
    const url = await start({ OID4VCI: 'false' });
    try {
      assert.equal((await fetch(`${url}/.well-known/openid-credential-issuer`)).status, 404);
    } finally {
      await stop();
    }
  });
});
