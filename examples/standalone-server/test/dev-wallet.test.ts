import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { getBytes, verifyMessage } from 'ethers';
import { runCli, startServer } from './newcomer-support.js';

const ROOT = resolve(import.meta.dirname, '..');
const run = runCli;
const start = startServer;

const unescapeHtml = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
/** The shell words of `pnpm w3kit wallet login '<id>'` as the page prints it. */
const wordsOf = (command: string) => [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!));

describe('newcomer wallet', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-wallet-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const kind of testDatabases()) {
    describe(kind, () => {
      let database: TestDatabase;
      beforeEach(async () => {
        database = await createTestDatabase(kind);
      });
      afterEach(() => database.drop());

      it('create, credential, then the login demo page’s own command logs the seeded user in with a VP the wallet signed', async () => {
        // PORT fixed: the wallet finds the server by PUBLIC_URL, as on a newcomer's machine
        const port = String(20_000 + Math.floor(Math.random() * 20_000));
        const env = { W3KIT_DATA_DIR: dir, DATABASE_URL: database.url, PORT: port, LOG_LEVEL: 'warn' };
        const server = await start(env);
        try {
          const seed = JSON.parse(run(['dev', 'seed', '--json'], env).stdout) as { user: { login_id: string; access_token: string } };
          const created = run(['wallet', 'create'], env);
          assert.equal(created.status, 0, created.stderr);
          const wallet = JSON.parse(created.stdout) as { wallet: string; did: string; address: string };
          assert.equal(wallet.wallet, join(dir, 'wallet.json'));
          assert.equal(statSync(wallet.wallet).mode & 0o777, 0o600);
          assert.equal(wallet.did, `did:ethr:${wallet.address.toLowerCase()}`);
          assert.doesNotMatch(created.stdout, /privateKey/);
          const again = run(['wallet', 'create'], env);
          assert.equal(again.status, 1);
          assert.equal(again.stderr, `w3kit: ${wallet.wallet} exists already; a wallet is never overwritten (pass --wallet <another file>)\n`);

          const page = await (await fetch(`${server.url}/v2/login-demo`)).text();
          const command = unescapeHtml(/id="wallet-command">([^<]*)</.exec(page)![1]!);
          const resultToken = unescapeHtml(/data-result-token="([^"]*)"/.exec(page)![1]!);
          const [pnpm, w3kit, ...args] = wordsOf(command);
          assert.deepEqual([pnpm, w3kit, args[0], args[1]], ['pnpm', 'w3kit', 'wallet', 'login']);
          const noCredential = run(args, env);
          assert.equal(noCredential.status, 1);
          assert.equal(noCredential.stderr, 'w3kit: the wallet holds no credential yet; get one with `w3kit wallet credential --token <a user token>`\n');

          const issued = run(['wallet', 'credential'], { ...env, W3KIT_TOKEN: seed.user.access_token });
          assert.equal(issued.status, 0, issued.stderr);
          assert.deepEqual(JSON.parse(issued.stdout), { did: wallet.did, credentials: 1 });
          const refusedToken = run(['wallet', 'credential', '--token', 'not-a-token'], env);
          assert.equal(refusedToken.status, 1);
          assert.match(refusedToken.stderr, /^w3kit: create-vc failed: the server answered 401 .*"code":"INVALID_TOKEN"/);

          const login = run(args, env);
          assert.equal(login.status, 0, login.stderr);
          assert.deepEqual(JSON.parse(login.stdout), { userId: seed.user.login_id });
          const requestId = args[2]!;
          const result = await fetch(`${server.url}/v2/auth/auth-user-result-by-app`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ requestId, resultToken }),
          });
          assert.equal(result.status, 200);
          assert.equal(((await result.json()) as { userId: string }).userId, seed.user.login_id);
          const replay = run(args, env);
          assert.equal(replay.status, 1);
          assert.match(replay.stderr, /^w3kit: the login was refused: the server answered 400 .*"code":"LOGIN_REQUEST_COMPLETED"/);
        } finally {
          await server.stop();
        }
      });
    });
  }

  it('refuses what is not a login request, and a wallet file others can read', () => {
    const env = { W3KIT_WALLET: join(dir, 'w.json') };
    assert.equal(run(['wallet', 'create'], env).status, 0);
    const bad = run(['wallet', 'login', 'https://site.example/?x=1'], env);
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, 'w3kit: "https://site.example/?x=1" is not a login request: copy the line under the QR code of /v2/login-demo (it ends with requestId=…)\n');
    chmodSync(join(dir, 'w.json'), 0o644);
    const open = run(['wallet', 'login', 'https://site.example/?requestId=abc'], env);
    assert.equal(open.stderr, `w3kit: ${join(dir, 'w.json')} is readable by other users; \`chmod 600 ${join(dir, 'w.json')}\` (it holds the wallet's private key)\n`);
    const none = run(['wallet', 'credential', '--token', 't'], { W3KIT_WALLET: join(dir, 'none.json') });
    assert.equal(none.stderr, `w3kit: no wallet at ${join(dir, 'none.json')}; make one with \`w3kit wallet create\`\n`);
    const nothing = run(['wallet', 'credential'], env);
    assert.match(nothing.stderr, /^w3kit: wallet credential needs a user access token: --token <token> or W3KIT_TOKEN/);
    const which = run(['wallet'], env);
    assert.equal(which.status, 2);
    assert.match(which.stderr, /^w3kit: wallet needs one of: create, credential, login, sign-claim, receive, present\n/);
  });

  it('sign-claim signs the ERC725 claim hash of its own address, as Origin’s claim verifier recovers it', () => {
    const env = { W3KIT_WALLET: join(dir, 'w.json') };
    const { address } = JSON.parse(run(['wallet', 'create'], env).stdout) as { address: string };
    const signed = run(['wallet', 'sign-claim', '--topic', '10', '--data', 'phone verified'], env);
    assert.equal(signed.status, 0, signed.stderr);
    const claim = JSON.parse(signed.stdout) as { identity: string; hash: string; signature: string; signer: string };
    assert.equal(claim.identity, address);
    assert.equal(verifyMessage(getBytes(claim.hash), claim.signature), address);
    const missing = run(['wallet', 'sign-claim', '--data', 'x'], env);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^w3kit: wallet sign-claim needs --topic <claim type> \(facebook 3, twitter 4, phone 10, email 11\)/);
  });

  it('the wallet is a holder, not the server: its code imports none of the kit’s packages', () => {
    const dirOf = join(ROOT, 'src/wallet');
    for (const file of readdirSync(dirOf)) {
      assert.doesNotMatch(readFileSync(join(dirOf, file), 'utf8'), /from '@w3kit\//, file);
    }
  });
});
