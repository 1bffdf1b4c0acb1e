import assert from 'node:assert/strict';
import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { associationPaths, CookieBrowser, fieldOf, pageUrlOf } from '../packages/auth/test/association-support.js';
import { walletKey, walletPresentation } from '../packages/did/test/support.js';
import { expectError, mint, staticMetadata } from '../packages/nft/test/support.js';
import { endUserWithLogin, rowCounts, startFullKit, verifiedOrganization, type FullKit, type TestAccount } from './full-kit.js';
import { errorShapeProblem } from './hostile-requests.js';

/**
 * The security list an auditor reads: one short test per item, against the full kit (every
 * plugin, composed as the standalone server composes them) behind a real listening server.
 *
 * Deeper per-plugin coverage lives beside each plugin:
 * - tokens (alg:none, HS256, foreign keys, tampering, expiry, rotation):    packages/auth/test/accounts.suite.ts
 * - the association flow, its redirect policy, tickets, CSRF, cookies:      packages/auth/test/association.suite.ts (+ docs/auth.md)
 * - phone and domain verification codes:                                   packages/auth/test/verification.suite.ts
 * - NFT visibility rules and QR codes (races, expiry, valid areas):         packages/nft/test/nft.suite.ts, verification.suite.ts
 * - attestation codes (attempts, expiry, rate limits):                      packages/attestations/test/phone.test.ts, email.test.ts
 * - VP login and the website login through an app:                         packages/did/test/app-login.test.ts
 * - bodies, encodings and limits in every wire format:                      packages/core/test/http.test.ts
 * - every endpoint under malformed input:                                   test/fuzz.test.ts
 */

type Json = Record<string, unknown>;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const partOf = (jwt: string, i: 0 | 1) => JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString()) as Json;
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1]!;
const { PAGE_PATH } = associationPaths('');

/** The SQL-ish strings every string field below gets: stored and returned verbatim, matched only exactly. */
const SQLISH = ["' OR '1'='1", "'; DROP TABLE auth_accounts; --", '" OR ""="', '%', '_', "\\'; SELECT SLEEP(5) #", "1' UNION SELECT password_hash FROM auth_accounts --"] as const;

describe('security list (full kit)', () => {
  for (const kind of testDatabases()) {
    describe(kind, function () {
      this.timeout(30_000);
      let db: TestDatabase;
      let clock: ManualClock;
      let full: FullKit;
      let org: Awaited<ReturnType<typeof verifiedOrganization>>;
      let otherOrg: Awaited<ReturnType<typeof verifiedOrganization>>;
      let alice: Awaited<ReturnType<typeof endUserWithLogin>>;
      let bob: Awaited<ReturnType<typeof endUserWithLogin>>;
      let alicePublic: string;
      let alicePrivate: string;
      const api = () => request(full.url);
      const myInfo = (bearer: string) => api().get('/rest/v1/account/my_info').set('authorization', bearer);

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        full = await startFullKit(db.url, { clock });
        [org, otherOrg, alice, bob] = await Promise.all([verifiedOrganization(full.kit), verifiedOrganization(full.kit), endUserWithLogin(full.kit), endUserWithLogin(full.kit)]);
        alicePublic = (await mint(full.app, org, alice, { visibility: 'public' })).token_id;
        alicePrivate = (await mint(full.app, org, alice, { visibility: 'private' })).token_id;
      });
      after(async () => {
        await full?.close();
        await db?.drop();
      });

      describe('tokens', () => {
        /** A refused token: 401 INVALID_TOKEN on a Web3Connect route and on a Finenex route, each in its format. */
        async function expectRefused(token: string) {
          expectError(await myInfo(`Bearer ${token}`), 401, 'INVALID_TOKEN');
          const finenex = await api()
            .post('/v2/did/create-vc')
            .set('authorization', `Bearer ${token}`)
            .send({ holder: `did:ethr:${alice.address}`, userInfo: {} });
          assert.equal(finenex.status, 401);
          assert.equal(finenex.body.code, 'INVALID_TOKEN');
          assert.equal(errorShapeProblem('finenex', 401, finenex.body), null);
        }

        it('an expired token', async () => {
          const now = clock.now();
          clock.advance(3600_000 + 1000);
          try {
            await expectRefused(alice.token);
          } finally {
            clock.set(now);
          }
          assert.equal((await myInfo(alice.bearer)).status, 200, 'the same token before its expiry');
        });

        it('a forged token: the same header and claims, signed with another key', async () => {
          const { privateKey } = await generateKeyPair('ES256');
          const forged = await new SignJWT(partOf(alice.token, 1)).setProtectedHeader(partOf(alice.token, 0) as { alg: string }).sign(privateKey);
          await expectRefused(forged);
        });

        it('alg:none', async () => {
          await expectRefused(`${b64({ ...partOf(alice.token, 0), alg: 'none' })}.${alice.token.split('.')[1]}.`);
        });

        it('HS256 signed with the public key (as PEM and as JWK JSON)', async () => {
          const jwks = (await api().get('/.well-known/jwks.json')).body as { keys: JsonWebKey[] };
          const kid = partOf(alice.token, 0)['kid'];
          const jwk = jwks.keys.find((k) => (k as Json)['kid'] === kid)!;
          const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
          for (const secret of [pem, JSON.stringify(jwk)]) {
            const signed = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${alice.token.split('.')[1]}`;
            await expectRefused(`${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`);
          }
        });
      });

      describe("one account on another's resources", () => {
        it("another holder's NFT: no visibility change, no QR code", async () => {
          expectError(await api().put(`/rest/v1/nft/${alicePublic}/visibility`).set('authorization', bob.bearer).send({ to: 'private' }), 403, 'NOT_HOLDER_OR_MINTER');
          expectError(
            await api()
              .post(`/rest/v1/nft/${alicePublic}/verification/qr_code/step1`)
              .set('authorization', bob.bearer)
              .send({ gps: { latitude: '35.6', longitude: '139.7' } }),
            403,
            'NOT_HOLDER',
          );
          assert.equal((await api().get(`/rest/v1/nft/${alicePublic}`).set('authorization', bob.bearer)).body.result.visibility, 'public');
        });

        it('a private NFT: 404 as if unknown to anyone but holder and minter, not listed, no metadata', async () => {
          for (const who of [bob, otherOrg]) expectError(await api().get(`/rest/v1/nft/${alicePrivate}`).set('authorization', who.bearer), 404, 'NFT_NOT_FOUND');
          const listed = await api().get(`/rest/v1/nft/held_by_id_wallet/${alice.address}`).set('authorization', bob.bearer);
          assert.deepEqual(JSON.stringify(listed.body.result).includes(alicePrivate), false);
          assert.ok(JSON.stringify(listed.body.result).includes(alicePublic));
          expectError(await api().get(`/rest/v1/nft/${alicePrivate}/metadata`), 404, 'NFT_NOT_FOUND');
          assert.equal((await api().get(`/rest/v1/nft/${alicePrivate}`).set('authorization', alice.bearer)).status, 200, 'the holder sees it');
        });

        it("another organization's verification results; another account's QR result", async () => {
          const gps = { latitude: '35.6', longitude: '139.7' };
          const { code } = (await api().post(`/rest/v1/nft/${alicePublic}/verification/qr_code/step1`).set('authorization', alice.bearer).send({ gps })).body.result;
          assert.equal((await api().post(`/rest/v1/nft/verification/qr_code/step2?c=${code}`).set('authorization', bob.bearer).send({ gps })).status, 200);
          expectError(await api().get(`/rest/v1/nft/${alicePublic}/verifications`).set('authorization', otherOrg.bearer), 403, 'NOT_MINTER');
          expectError(await api().get(`/rest/v1/nft/verification/qr_code/result?c=${code}`).set('authorization', bob.bearer), 422, 'CODE_INVALID');
          assert.equal((await api().get(`/rest/v1/nft/${alicePublic}/verifications`).set('authorization', org.bearer)).body.result.length, 1, 'the minter sees it');
        });

        it('my_info shows only the requester, whatever the request names', async () => {
          const res = await api().get(`/rest/v1/account/my_info?account_id=${bob.accountId}&sub=${bob.accountId}`).set('authorization', alice.bearer);
          assert.equal(res.body.result.account_id, alice.accountId);
          for (const other of [bob.accountId, bob.loginId, bob.address, bob.email]) assert.ok(!res.text.includes(other), `no ${other} in my_info`);
        });
      });

      describe('one-time codes work once', () => {
        it('phone verification code', async () => {
          const step1 = await api().post('/rest/v1/verify/phone/step1').set('authorization', alice.bearer).send({ phone_number: '+14155550123' });
          const body = { tmp_token: step1.body.result.tmp_token, code: codeIn(full.outbox.sms.at(-1)!.text) };
          assert.equal((await api().post('/rest/v1/verify/phone/step2').set('authorization', alice.bearer).send(body)).status, 200);
          expectError(await api().post('/rest/v1/verify/phone/step2').set('authorization', alice.bearer).send(body), 422, 'CODE_EXPIRED');
        });

        it('attestation code', async () => {
          assert.equal((await api().post('/api/attestations/email/generate-code').send({ email: 'ada@example.com' })).status, 200);
          const body = { code: codeIn(full.outbox.email.at(-1)!.text), email: 'ada@example.com', identity: alice.address };
          assert.equal((await api().post('/api/attestations/email/verify').send(body)).status, 200);
          const replay = await api().post('/api/attestations/email/verify').send(body);
          assert.equal(replay.status, 422);
          assert.equal(errorShapeProblem('origin', 422, replay.body), null);
        });

        it('NFT QR code', async () => {
          const gps = { latitude: '35.6', longitude: '139.7' };
          const { code } = (await api().post(`/rest/v1/nft/${alicePublic}/verification/qr_code/step1`).set('authorization', alice.bearer).send({ gps })).body.result;
          assert.equal((await api().post(`/rest/v1/nft/verification/qr_code/step2?c=${code}`).set('authorization', bob.bearer).send({ gps })).status, 200);
          for (const scanner of [bob, otherOrg]) {
            expectError(await api().post(`/rest/v1/nft/verification/qr_code/step2?c=${code}`).set('authorization', scanner.bearer).send({ gps }), 422, 'CODE_INVALID');
          }
        });

        it('association ticket', async () => {
          const button = await api()
            .post('/rest/v1/auth/account/association/generate_web3connect_button_js')
            .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://${org.domain}/back` });
          const browser = new CookieBrowser(full.server);
          const page = await browser.open(pageUrlOf(button.body.result));
          // a sign-up finishes with the code emailed to the address (security issue item 8)
          const email = `eve-${Date.now()}@example.com`;
          const signUp = await page.submit('sign-up', { name: 'Eve', email, password: 'correct horse battery' });
          assert.equal(signUp.status, 200);
          const code = codeIn(full.outbox.email.filter((message) => message.to === email).at(-1)!.text);
          assert.equal((await page.submit('verify-email', { pending: fieldOf(signUp.text, 'pending'), code })).status, 303);
          const first = await page.submit('confirm');
          assert.equal(first.status, 303);
          assert.match(String(first.headers['location']), new RegExp(`^https://${org.domain}/back\\?id_wallet_address=0x`));
          const replay = await page.submit('confirm');
          assert.equal(replay.status, 410);
          assert.match(replay.text, /expired or was already used/);
        });

        it('website login result through the app, collected twice', async () => {
          const wallet = walletKey();
          const vc = await api()
            .post('/v2/did/create-vc')
            .set('authorization', alice.bearer)
            .send({ holder: wallet.did, userInfo: { name: 'Alice' } });
          const verifier = (await api().get('/v2/did/verifiers')).body[0].did as string;
          const login = (await api().post('/v2/auth/auth-user-by-app').send({ requestId: 'https://shop.example/login?' })).body as { requestId: string; resultToken: string };
          const vp = await walletPresentation(wallet.issuer, [vc.body as Json], { aud: verifier, nonce: login.requestId });
          assert.equal((await api().post('/v2/auth/auth-user-with-vp').send({ requestId: login.requestId, vp })).status, 200);
          const collect = () => api().post('/v2/auth/auth-user-result-by-app').send({ requestId: login.requestId, resultToken: login.resultToken });
          const first = await collect();
          assert.equal(first.status, 200, JSON.stringify(first.body));
          assert.equal(first.body.userId, alice.loginId);
          const replay = await collect();
          assert.equal(replay.status, 400);
          assert.equal(errorShapeProblem('finenex', 400, replay.body), null);
        });
      });

      it('redirect URL tricks for the association flow: 400 REDIRECT_NOT_ALLOWED, and no ticket', async () => {
        const button = (redirect_url: string) => api().post('/rest/v1/auth/account/association/generate_web3connect_button_js').send({ api_key_secret: org.apiKeySecret, redirect_url });
        const d = org.domain;
        const tricks = [
          '//evil.com',
          `//evil.com/${d}`,
          `https://${d}.evil.com`,
          `https://${d}@evil.com`,
          `https://evil.com@${d}`,
          'https:%2F%2Fevil.com',
          `https://evil.com%2f.${d}`,
          'https:\\\\evil.com',
          `https://${d}\\@evil.com`,
          `https:/\\evil.com/${d}`,
          `javascript:alert(1)//${d}`,
          `JavaScript://${d}/%0aalert(1)`,
          `data:text/html,<script>location='https://evil.com'</script>`,
          `https://evil.com/https://${d}`,
          `https://evil${d}`,
          `https://${d}\t.evil.com`,
        ];
        const tickets = async () => (await rowCounts(full.kit))['w3kit_one_time_codes'];
        const before = await tickets();
        for (const trick of tricks) expectError(await button(trick), 400, 'REDIRECT_NOT_ALLOWED');
        assert.equal(await tickets(), before);
        assert.equal((await button(`https://shop.${d}/back?user=1`)).status, 200, 'the verified domain itself is allowed');
      });

      describe('SQL-ish strings are data: stored and returned verbatim, matched only exactly', () => {
        it('login id', async () => {
          const loginId = SQLISH[1];
          await full.kit.services.accountService.createEndUser({ loginId, email: 'bobby@example.com', password: 'tables are safe' });
          const login = await api().post('/v2/auth/auth-user').send({ id: loginId, password: 'tables are safe' });
          assert.equal(login.status, 200);
          assert.equal(login.body.userId, loginId);
          for (const id of SQLISH) {
            const res = await api().post('/v2/auth/auth-user').send({ id, password: "' OR '1'='1" });
            assert.equal(res.status, 401, id);
            assert.equal(res.body.code, 'INVALID_CREDENTIALS');
          }
        });

        it('NFT metadata and search fields', async () => {
          const [name, issuer, provider, , , sns1, description] = SQLISH;
          const metadata = { static: staticMetadata({ name, issuer, contents_provider: provider, description }), dynamic: { brand: '%', category: '_', sns1 } };
          const token = await mint(full.app, org, alice, { visibility: 'public', metadata });
          const fetched = (await api().get(`/rest/v1/nft/${token.token_id}`).set('authorization', bob.bearer)).body.result;
          assert.deepEqual(fetched.metadata.dynamic, metadata.dynamic);
          assert.deepEqual(
            [fetched.metadata.static.name, fetched.metadata.static.issuer, fetched.metadata.static.contents_provider, fetched.metadata.static.description],
            [name, issuer, provider, description],
          );
          assert.equal((await api().get(`/rest/v1/nft/${token.token_id}/metadata`)).body.name, name);
          const search = async (filter: Json, path = '/rest/v1/nft/search', who: TestAccount = bob) =>
            ((await api().post(path).set('authorization', who.bearer).send(filter)).body.result as { token_id: string }[]).map((t) => t.token_id);
          assert.deepEqual(await search({ brand: '%' }), [token.token_id], "'%' matches itself only");
          assert.deepEqual(await search({ category: '_' }), [token.token_id]);
          assert.deepEqual(await search({ name, description }), [token.token_id]);
          assert.deepEqual(await search({ brand: '_' }), [], "'_' is not a wildcard");
          assert.deepEqual(await search({ brand: "' OR '1'='1" }), []);
          assert.deepEqual(await search({ name: "' OR '1'='1' --" }), []);
          assert.deepEqual(await search({ brand: '%' }, '/rest/v1/nft/minted_by_me/search', org), [token.token_id]);
          assert.ok((await search({})).length > 1, 'the other public NFTs are still there');
        });

        it('credential claims', async () => {
          const userInfo = Object.fromEntries(SQLISH.map((value, i) => [`claim${i}`, value]));
          const vc = await api().post('/v2/did/create-vc').set('authorization', alice.bearer).send({ holder: walletKey().did, userInfo });
          assert.equal(vc.status, 200, JSON.stringify(vc.body));
          const subject = (vc.body as { credentialSubject: Json }).credentialSubject;
          for (const [key, value] of Object.entries(userInfo)) assert.equal(subject[key], value);
        });
      });

      it("oversized bodies: 413 in the route's wire format", async () => {
        const big = { pad: 'x'.repeat(150_000) };
        const routes = [
          ['web3connect', '/rest/v1/auth/account/access_token/refresh'],
          ['origin', '/api/attestations/phone/generate-code'],
          ['finenex', '/v2/auth/auth-user'],
          ['finenex', '/credentials/verify'],
        ] as const;
        for (const [format, path] of routes) {
          const res = await api().post(path).send(big);
          assert.equal(res.status, 413, path);
          assert.equal(errorShapeProblem(format, 413, res.body), null, path);
          const code = format === 'web3connect' ? res.body.error.code : format === 'finenex' ? res.body.code : undefined;
          if (code) assert.equal(code, 'PAYLOAD_TOO_LARGE', path);
          else assert.deepEqual(res.body.errors, ['The request body is too large.'], path);
        }
        // the association pages answer with a page: a form post has a limit of its own (16 KB)
        const page = await api()
          .post(`${PAGE_PATH}/sign-in`)
          .type('form')
          .send({ token: 'x', pad: 'y'.repeat(20_000) });
        assert.equal(page.status, 413);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        assert.match(page.text, /The request body is too large\./);
      });
    });
  }
});
