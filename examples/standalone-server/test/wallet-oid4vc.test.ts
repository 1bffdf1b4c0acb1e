import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { matchDcql } from '../src/wallet/oid4vp-present.js';
import { runCli, startServer } from './newcomer-support.js';

const REPO = resolve(import.meta.dirname, '../../..');
const PUBLIC_URL = 'https://w3kit.localhost';

/** The shell lines of README.md's "Wallet protocols" section, in order. */
function walletProtocolLines(): string[] {
  const section = /^## Wallet protocols: OID4VCI and OID4VP\n([\s\S]*?)^## /m.exec(readFileSync(join(REPO, 'README.md'), 'utf8'))?.[1];
  assert.ok(section, 'README.md has a "Wallet protocols" section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
}

const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

/** What /oid4vp/login shows a person: the openid4vp:// text, and what its script collects the result with. */
async function loginPage(server: string, flow = 'cross_device') {
  const page = await (await fetch(`${server}/oid4vp/login?flow=${flow}`)).text();
  const pick = (re: RegExp) => unescapeHtml(re.exec(page)?.[1] ?? assert.fail(`no ${String(re)} in ${page}`));
  return {
    request: pick(/id="authorization-request">([^<]*)</),
    transactionId: pick(/data-transaction-id="([^"]*)"/),
    resultToken: pick(/data-result-token="([^"]*)"/),
  };
}

async function collect(server: string, body: object) {
  const res = await fetch(`${server}/oid4vp/result`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const failed = (done: ReturnType<typeof runCli>, message: string) => {
  assert.equal(done.status, 1, done.stdout);
  assert.equal(done.stderr, `w3kit: ${message}\n`);
};

interface WalletJson {
  credentials: string[];
  sdJwtVcs?: { format: string; vct: string; issuer: string; credential: string }[];
  pendingOffers?: Record<string, unknown>;
  holderKey?: { kty: string; crv: string };
}

describe('wallet-oid4vc: the CLI wallet receives by OID4VCI and presents by OID4VP', function () {
  this.timeout(300_000);

  for (const kind of testDatabases()) {
    describe(kind, () => {
      let database: TestDatabase;
      let dir: string;
      let server: Awaited<ReturnType<typeof startServer>>;
      let env: Record<string, string>;
      let demo: Record<string, string>;
      before(async () => {
        database = await createTestDatabase(kind);
        dir = mkdtempSync(join(tmpdir(), 'w3kit-wallet-oid4vc-'));
        const port = String(20_000 + Math.floor(Math.random() * 20_000));
        env = { W3KIT_DATA_DIR: dir, DATABASE_URL: database.url, PORT: port, LOG_LEVEL: 'warn', HOME: process.env['HOME'] ?? tmpdir() };
        // as a person does: the seed of "First ten minutes" first (its W3KIT_URL the plain http address) …
        const seeded = runCli(['dev', 'seed'], env);
        assert.equal(seeded.status, 0, seeded.stderr);
        demo = Object.fromEntries([...readFileSync(join(dir, 'demo.env'), 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
        // … then the server restarted as the README's "Wallet protocols" step 1 says
        const [restart] = walletProtocolLines();
        const assignments = /^((?:\w+=\S+ )+)npx --yes pnpm@10 start$/.exec(restart!)?.[1];
        assert.ok(assignments, restart);
        const readmeEnv = Object.fromEntries(
          assignments
            .trim()
            .split(' ')
            .map((a) => a.split('=') as [string, string]),
        );
        assert.deepEqual(readmeEnv, { OID4VP: 'true', OID4VP_LOGIN_PAGE: 'true', PUBLIC_URL });
        // this process's fetches sit idle while a CLI step runs: on a loaded machine undici's 4 s idle
        // timer can fire after the server's 5 s keep-alive close, and the next request meets a closed socket
        server = await startServer({ ...env, ...readmeEnv, HTTP_KEEP_ALIVE_TIMEOUT_MS: '120000' });
        assert.equal(server.url, demo['W3KIT_URL']);
      });
      after(async () => {
        await server?.stop();
        rmSync(dir, { recursive: true, force: true });
        await database?.drop();
      });

      it('README lines: receive an SD-JWT VC into the wallet, present it to /oid4vp/login, the site collects the login once', async () => {
        assert.equal(runCli(['wallet', 'create'], env).status, 0);
        const [, receive, present] = walletProtocolLines();
        const sh = (command: string) => {
          const done = spawnSync('sh', ['-c', command], { cwd: REPO, env: { PATH: process.env['PATH'], ...env }, encoding: 'utf8', timeout: 120_000 });
          assert.equal(done.status, 0, `${command}\n${done.stdout}\n${done.stderr}`);
          // pnpm prints its script line first; the wallet's answer is the last line
          return JSON.parse(done.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
        };
        const received = sh(receive!);
        assert.equal(received['issuer'], PUBLIC_URL);
        assert.equal(received['vct'], `${PUBLIC_URL}/credentials/account`);
        assert.equal(received['format'], 'dc+sd-jwt');
        assert.equal(received['sd_jwt_vcs'], 1);
        assert.ok((received['claims'] as string[]).includes('email'), JSON.stringify(received));
        const file = join(dir, 'wallet.json');
        assert.equal(statSync(file).mode & 0o777, 0o600);
        const wallet = JSON.parse(readFileSync(file, 'utf8')) as WalletJson;
        assert.deepEqual(wallet.credentials, []);
        assert.equal(wallet.sdJwtVcs!.length, 1);
        assert.deepEqual([wallet.holderKey!.kty, wallet.holderKey!.crv], ['EC', 'P-256']);
        assert.deepEqual(wallet.pendingOffers, {});

        const page = await loginPage(server.url);
        assert.match(page.request, /^openid4vp:\/\/\?client_id=decentralized_identifier%3Adid%3Aweb%3Aw3kit.localhost%3Aoid4vp&request_uri=/);
        const pending = await collect(server.url, { transaction_id: page.transactionId, result_token: page.resultToken });
        assert.equal(pending.status, 401);
        assert.equal(pending.body['code'], 'LOGIN_PENDING');
        assert.match(present!, /'<the openid4vp:\/\/… text the page shows>'$/);
        const presented = sh(present!.replace(/'[^']*'$/, `'${page.request}'`));
        // the verifier asks for `sub` only, which the kit's issuer signs in clear: no disclosure is sent
        assert.deepEqual(presented, {
          client_id: 'decentralized_identifier:did:web:w3kit.localhost:oid4vp',
          response_mode: 'direct_post.jwt',
          disclosed: [{ credential: `${PUBLIC_URL}/credentials/account`, issuer: PUBLIC_URL, claims: ['sub'], disclosures: [] }],
        });
        const login = await collect(server.url, { transaction_id: page.transactionId, result_token: page.resultToken });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        assert.equal(login.body['userId'], demo['USER_LOGIN']);
        assert.equal(typeof login.body['token'], 'string');
        const again = await collect(server.url, { transaction_id: page.transactionId, result_token: page.resultToken });
        assert.equal(again.status, 400);
        assert.equal(again.body['code'], 'LOGIN_RESULT_COLLECTED');
      });

      it('a plain direct_post request started through the API, and a same-device one that hands back the redirect', async () => {
        const walletEnv = { ...env, W3KIT_WALLET: join(dir, 'second.json'), W3KIT_URL: server.url };
        assert.equal(runCli(['wallet', 'create'], walletEnv).status, 0);
        const offer = await offerFor(server.url, await userToken(server.url, demo), {});
        assert.equal(runCli(['wallet', 'receive', offer], walletEnv).status, 0);

        const started = await fetch(`${server.url}/oid4vp/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_mode: 'direct_post' }) });
        assert.equal(started.status, 201);
        const request = (await started.json()) as { transaction_id: string; authorization_request: string; result_token: string };
        const plain = runCli(['wallet', 'present', request.authorization_request], walletEnv);
        assert.equal(plain.status, 0, plain.stderr);
        assert.equal((JSON.parse(plain.stdout) as { response_mode: string }).response_mode, 'direct_post');
        const login = await collect(server.url, { transaction_id: request.transaction_id, result_token: request.result_token });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        assert.equal(login.body['userId'], demo['USER_LOGIN']);

        const sameDevice = await loginPage(server.url, 'same_device');
        const answered = runCli(['wallet', 'present', sameDevice.request], walletEnv);
        assert.equal(answered.status, 0, answered.stderr);
        const redirect = (JSON.parse(answered.stdout) as { redirect_uri: string }).redirect_uri;
        assert.match(redirect, /^https:\/\/w3kit\.localhost\/oid4vp\/login#response_code=[A-Za-z0-9_-]+$/);
        const withCode = await collect(server.url, { transaction_id: sameDevice.transactionId, result_token: sameDevice.resultToken, response_code: redirect.split('#response_code=')[1] });
        assert.equal(withCode.status, 200, JSON.stringify(withCode.body));
      });

      it('refusals a person can act on: no wallet, a missing and a wrong tx code, a used offer, no matching credential, a used request', async () => {
        const walletEnv = { ...env, W3KIT_WALLET: join(dir, 'third.json'), W3KIT_URL: server.url };
        const token = await userToken(server.url, demo);
        const offer = await offerFor(server.url, token, { tx_code: 'email' });
        failed(runCli(['wallet', 'receive', offer], walletEnv), `no wallet at ${join(dir, 'third.json')}; make one with \`w3kit wallet create\``);
        assert.equal(runCli(['wallet', 'create'], walletEnv).status, 0);

        // no matching credential: the wallet holds none yet
        const first = await loginPage(server.url);
        failed(
          runCli(['wallet', 'present', first.request], walletEnv),
          `no credential in the wallet matches what decentralized_identifier:did:web:w3kit.localhost:oid4vp asks for (dc+sd-jwt of vct ${PUBLIC_URL}/credentials/account disclosing sub); get one with \`w3kit wallet receive '<offer>'\`, then reload the login page`,
        );
        // the request object was handed out once: the same text again is a used request
        failed(runCli(['wallet', 'present', first.request], walletEnv), 'this login request was used already (a request is fetched and answered once); reload the login page for a new one');

        failed(
          runCli(['wallet', 'receive', offer], walletEnv),
          'this offer needs a transaction code of 6 digits (The code sent to your phone or email): run the same command with --tx-code <code> (in development the code is on /dev/outbox)',
        );
        const outbox = (await (await fetch(`${server.url}/dev/outbox.json`)).json()) as { messages: { subject: string; code: string | null }[] };
        const code = outbox.messages.find((m) => m.subject === 'Your credential code')!.code!;
        const wrong = code === '000000' ? '111111' : '000000';
        failed(runCli(['wallet', 'receive', offer, '--tx-code', wrong], walletEnv), 'the transaction code is wrong; run the same command with the code that was sent (an offer allows a few tries)');
        // the offer document was fetched once: the wallet's kept copy makes the retry work
        const received = runCli(['wallet', 'receive', offer, '--tx-code', code], walletEnv);
        assert.equal(received.status, 0, received.stderr);
        assert.equal((JSON.parse(received.stdout) as { sd_jwt_vcs: number }).sd_jwt_vcs, 1);
        failed(runCli(['wallet', 'receive', offer, '--tx-code', code], walletEnv), 'the offer has expired or was used already (an offer works once, for a few minutes); ask for a new one');

        // with a credential now, a fresh request works, and answering it twice is refused
        const second = await loginPage(server.url);
        assert.equal(runCli(['wallet', 'present', second.request], walletEnv).status, 0);
        failed(runCli(['wallet', 'present', second.request], walletEnv), 'this login request was used already (a request is fetched and answered once); reload the login page for a new one');
        failed(runCli(['wallet', 'present', 'https://site.example/?x=1'], walletEnv), 'the request names no request_uri: this wallet answers requests by reference (signed request objects) only');
        const probe = createServer().listen(0, '127.0.0.1');
        await once(probe, 'listening');
        const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
        await new Promise((done) => probe.close(done));
        failed(runCli(['wallet', 'receive', offer, '--server', closed], walletEnv), `cannot reach the server at ${closed} (ECONNREFUSED); is it running? (--server <url>, or W3KIT_URL)`);
      });
    });
  }

  it('DCQL: the newest credential of the format and vct that has one claim set; only those claims are disclosed', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issuer = new SDJwtVcInstance({ signer: await ES256.getSigner(privateKey.export({ format: 'jwk' })), signAlg: 'ES256', hasher: digest, hashAlg: 'sha-256', saltGenerator: generateSalt });
    type Claims = { email?: string; name?: string; phone?: string };
    const issue = async (vct: string, claims: Claims) => ({
      format: 'dc+sd-jwt' as const,
      issuer: 'https://issuer.test',
      vct,
      credentialConfigurationId: 'c',
      receivedAt: '',
      // the claims of `claims` disclosable, sub in clear (as the kit's issuer has it)
      credential: await issuer.issue({ iss: 'https://issuer.test', vct, iat: 1, sub: 'acct:1', ...claims }, { _sd: Object.keys(claims) as (keyof Claims)[] }),
    });
    const older = await issue('urn:account', { email: 'old@example.com', name: 'Old' });
    const newer = await issue('urn:account', { email: 'new@example.com' });
    const other = await issue('urn:other', { email: 'x@example.com', phone: '1' });
    const query = (credential: Record<string, unknown>) => ({ credentials: [{ id: 'q', format: 'dc+sd-jwt', ...credential }] });

    const email = await matchDcql(query({ meta: { vct_values: ['urn:account'] }, claims: [{ path: ['email'] }] }), [older, newer, other]);
    assert.deepEqual(email, [{ queryId: 'q', stored: newer, claims: ['email'], disclose: ['email'] }]);
    // sub is signed in clear: asked for, shown, no disclosure
    assert.deepEqual(await matchDcql(query({ claims: [{ path: ['sub'] }] }), [older]), [{ queryId: 'q', stored: older, claims: ['sub'], disclose: [] }]);
    const sets = query({
      claims: [
        { id: 'p', path: ['phone'] },
        { id: 'n', path: ['name'] },
      ],
      claim_sets: [['p'], ['n']],
      meta: { vct_values: ['urn:account'] },
    });
    assert.deepEqual(await matchDcql(sets, [older, newer]), [{ queryId: 'q', stored: older, claims: ['name'], disclose: ['name'] }]);
    for (const missing of [
      query({ meta: { vct_values: ['urn:none'] } }),
      query({ claims: [{ path: ['phone'] }], meta: { vct_values: ['urn:account'] } }),
      query({ claims: [{ path: ['email', 'domain'] }] }),
      query({ format: 'jwt_vc_json' }),
    ]) {
      assert.ok('missing' in (await matchDcql(missing, [older, newer, other])), JSON.stringify(missing));
    }
  });

  it('wallet receive and present need exactly one argument and say which', () => {
    const env = { W3KIT_WALLET: join(tmpdir(), 'w3kit-none.json') };
    failed(runCli(['wallet', 'receive'], env), "wallet receive needs exactly one '<offer>': the openid-credential-offer://… link of the offer (its page shows it), in quotes");
    failed(runCli(['wallet', 'present', 'a', 'b'], env), "wallet present needs exactly one '<request>': the openid4vp://… text under the QR code of /oid4vp/login, in quotes");
  });
});

async function userToken(server: string, demo: Record<string, string>): Promise<string> {
  const res = await fetch(`${server}/v2/auth/auth-user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: demo['USER_LOGIN'], password: demo['USER_PASSWORD'] }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

async function offerFor(server: string, token: string, extra: Record<string, string>): Promise<string> {
  const res = await fetch(`${server}/v2/oid4vci/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ credential_configuration_id: 'w3kit_profile_dc_sd_jwt', ...extra }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { credential_offer: string }).credential_offer;
}
