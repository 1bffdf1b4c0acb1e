import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { createVerifiablePresentationJwt, normalizePresentation } from 'did-jwt-vc';
import request from 'supertest';
import { didKeyWallet, presentationOf, presentationProof, withProofs } from './forged-presentations.js';
import { appFor, createUser, didKit, jwtPart, poster, walletKey, walletPresentation, withBadSignature, type TestApp } from './support.js';

// Presentation and app-login rules a mutation run found untested: what verify-vp reports for a
// proof it does not know or one that fails, create-vp's input checks, the login's time bounds,
// the requestId forms, and the words a client is shown.

type Json = Record<string, unknown>;
const SECOND = 1000;
const MAX_AGE = 600;

for (const kind of testDatabases()) {
  describe(`did presentation mutants (${kind})`, () => {
    let db: TestDatabase;
    let kit: Kit;
    let clock: ManualClock;
    let app: TestApp;
    let verifier: string;
    const post = (path: string, body: unknown, bearer?: string) => poster(app)(path, body, bearer);
    const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Math.floor(Date.now() / 1000) * 1000); // on a whole second, as JWT dates are
      kit = await didKit(db.url, { presentationMaxAgeSeconds: MAX_AGE }, { services: { clock } });
      app = appFor(kit).callback();
      verifier = (await request(app).get('/v2/did/verifiers')).body[0].did;
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    async function userWithWallet() {
      const user = await createUser(kit, 'Hong');
      const wallet = walletKey();
      const vc = await post('/v2/did/create-vc', { holder: wallet.did, userInfo: { name: 'Hong' } }, user.bearer);
      assert.equal(vc.status, 200, JSON.stringify(vc.body));
      return { user, wallet, credential: vc.body as Json };
    }

    async function startLogin(site = 'https://shop.example?', waitTime = 60) {
      const res = await post('/v2/auth/auth-user-by-app', { requestId: site, waitTime });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as { requestId: string; waitTime: number; resultToken: string };
    }

    function expectRejected(res: request.Response, reason: string, message?: string | RegExp) {
      assert.equal(res.status, 401, JSON.stringify(res.body));
      assert.equal(res.body.code, 'PRESENTATION_REJECTED');
      assert.equal(res.body.reason, reason, res.body.message);
      assert.equal(res.body.token, undefined);
      if (typeof message === 'string') assert.equal(res.body.message, message);
      else if (message) assert.match(res.body.message, message);
    }

    it('verify-vp: a proof of a type it does not verify is reported as such, with nothing taken from it', async () => {
      const res = await post('/v2/did/verify-vp', { holder: 'did:example:123', proof: { type: 'RsaSignature2018', jws: 'x' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, {
        verified: false,
        format: null,
        holder: null,
        verifier: [],
        challenge: null,
        code: 'UNSUPPORTED_PROOF',
        reason: 'the presentation has no proof this server verifies (JwtProof2020, DataIntegrityProof eddsa-rdfc-2022 or ecdsa-rdfc-2019, Ed25519Signature2020)',
        credentials: [],
      });
    });

    it('verify-vp: a JWT VP reports format jwt; one whose signature fails reports no audience or challenge', async () => {
      const { wallet, credential } = await userWithWallet();
      const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: 'n-1', nbf: nowSeconds() });
      const good = await post('/v2/did/verify-vp', vp);
      assert.equal(good.body.verified, true, JSON.stringify(good.body));
      assert.equal(good.body.format, 'jwt');
      assert.deepEqual(good.body.verifier, [verifier]);
      assert.equal(good.body.challenge, 'n-1');
      const jwt = (vp['proof'] as { jwt: string }).jwt;
      const bad = await post('/v2/did/verify-vp', { ...vp, proof: { ...(vp['proof'] as Json), jwt: withBadSignature(jwt) } });
      assert.equal(bad.body.verified, false);
      assert.equal(bad.body.format, 'jwt');
      assert.equal(bad.body.code, 'SIGNATURE_INVALID');
      assert.deepEqual(bad.body.verifier, []);
      assert.equal(bad.body.challenge, null);
    });

    it('create-vp: refuses, naming the index, what is not a credential and a VC 2.0 credential; a JWT VP carries VC 1.1 only', async () => {
      const user = await createUser(kit);
      const address = (await post('/v2/did/create-address', {}, user.bearer)).body as { address: string; secretKey: string };
      const holder = (await post('/v2/did/create-did', { alias: 'holder', ...address })).body.did as string;
      const credential = (await post('/v2/did/create-vc', { holder, userInfo: { name: 'Hong' } }, user.bearer)).body as Json;
      const v2Res = await post('/v2/did/create-vc', { holder, userInfo: { name: 'Hong' }, format: 'eddsa-rdfc-2022', dataModel: '2.0' }, user.bearer);
      assert.equal(v2Res.status, 200, JSON.stringify(v2Res.body));
      const v2 = v2Res.body as Json;
      const cases: [unknown[], string][] = [
        [[credential, 'not a credential'], 'credentials[1] is not a verifiable credential (JwtProof2020 JSON form, JWT or Data Integrity).'],
        [[{ type: ['VerifiableCredential'] }], 'credentials[0] is not a verifiable credential (JwtProof2020 JSON form, JWT or Data Integrity).'],
        [[credential, credential, v2], 'credentials[2] is a VC 2.0 credential; a JWT presentation (VC 1.1) can carry VC 1.1 credentials only.'],
      ];
      for (const [credentials, message] of cases) {
        const res = await post('/v2/did/create-vp', { holder, tempKey: address.secretKey, credentials });
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.equal(res.body.code, 'INVALID_CREDENTIAL');
        assert.equal(res.body.message, message);
      }
      const v11 = (await post('/v2/did/create-vc', { holder, userInfo: { name: 'Hong' }, format: 'eddsa-rdfc-2022', dataModel: '1.1' }, user.bearer)).body as Json;
      const withDataIntegrity = await post('/v2/did/create-vp', { holder, tempKey: address.secretKey, credentials: [credential, v11] });
      assert.equal(withDataIntegrity.status, 200, JSON.stringify(withDataIntegrity.body));
      const ok = await post('/v2/did/create-vp', { holder, tempKey: address.secretKey, credentials: [credential] });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(jwtPart((ok.body.proof as { jwt: string }).jwt, 1)['nonce'], undefined, 'no challenge, no nonce');
    });

    it('a login VP older than the maximum age is refused, one exactly that old is not', async () => {
      const { wallet, credential } = await userWithWallet();
      const vpAt = (nbf: number) => walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf });
      expectRejected(
        await post('/v2/auth/auth-user-with-vp', { vp: await vpAt(nowSeconds() - MAX_AGE - 1) }),
        'PRESENTATION_TOO_OLD',
        `The presentation is older than ${MAX_AGE} seconds; make a new one.`,
      );
      assert.equal((await post('/v2/auth/auth-user-with-vp', { vp: await vpAt(nowSeconds() - MAX_AGE) })).status, 200);
    });

    it('a Data Integrity login VP dated more than 5 minutes ahead is refused; 5 minutes ahead is not', async () => {
      const wallet = await didKeyWallet();
      const presentation = presentationOf(wallet.did, []);
      const at = async (offsetMs: number) =>
        withProofs(presentation, [
          await presentationProof(presentation, wallet, { challenge: 'c-future', domain: verifier, loader: kit.services.documentLoader, date: new Date(clock.now().getTime() + offsetMs) }),
        ]);
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: await at(301 * SECOND) }), 'NOT_YET_VALID', 'The presentation is dated in the future.');
      // past the date checks: refused only for holding no credential
      expectRejected(
        await post('/v2/auth/auth-user-with-vp', { vp: await at(300 * SECOND) }),
        'NO_TRUSTED_CREDENTIAL',
        `The presentation holds no credential that this server issued to its holder (${wallet.did}) for an account: create one with POST /v2/did/create-vc.`,
      );
    });

    it('a Data Integrity VP for a website login with another challenge is refused in the server’s words', async () => {
      const wallet = await didKeyWallet();
      const presentation = presentationOf(wallet.did, []);
      const login = await startLogin();
      const vp = withProofs(presentation, [
        await presentationProof(presentation, wallet, { challenge: 'another-challenge', domain: verifier, loader: kit.services.documentLoader, date: clock.now() }),
      ]);
      expectRejected(
        await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp }),
        'CHALLENGE_MISMATCH',
        'The presentation does not verify: its challenge (JWT nonce, proof.challenge) is missing or is not the one the verifier asked for.',
      );
    });

    it('an undated VP logs in only for a website login that it names as its challenge', async () => {
      const { user, wallet, credential } = await userWithWallet();
      const undated = async (nonce?: string) =>
        normalizePresentation(
          await createVerifiablePresentationJwt(
            {
              vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [(credential['proof'] as { jwt: string }).jwt] },
              aud: verifier,
              ...(nonce === undefined ? {} : { nonce }),
              iat: undefined,
            },
            wallet.issuer,
          ),
        ) as unknown as Json;
      const appOnly = await undated();
      assert.equal(jwtPart((appOnly['proof'] as { jwt: string }).jwt, 1)['iat'], undefined, 'the VP is undated');
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: appOnly }), 'PRESENTATION_TOO_OLD', /must say when it was made/);
      const login = await startLogin();
      const res = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: await undated(login.requestId) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.userId, user.loginId);
    });

    it('the client is told the server’s words, never a library’s: audience, signature and credential failures', async () => {
      const { wallet, credential } = await userWithWallet();
      const elsewhere = await walletPresentation(wallet.issuer, [credential], { aud: 'did:example:other-verifier', nbf: nowSeconds() });
      const res = await post('/v2/auth/auth-user-with-vp', { vp: elsewhere });
      expectRejected(res, 'AUDIENCE_MISMATCH', `The presentation is not addressed to this server: address it (JWT aud, Data Integrity proof.domain) to ${verifier} (GET /v2/did/verifiers).`);
      assert.equal(res.body.expected_audience, verifier);

      const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf: nowSeconds() });
      const forged = { ...vp, proof: { ...(vp['proof'] as Json), jwt: withBadSignature((vp['proof'] as { jwt: string }).jwt) } };
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: forged }), 'SIGNATURE_INVALID', 'The presentation does not verify: a signature does not verify.');

      const early = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf: nowSeconds() + 400 });
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: early }), 'NOT_YET_VALID', 'The presentation does not verify: it, or a credential in it, is not valid yet.');
      const expiredJwt = await createVerifiablePresentationJwt(
        {
          vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [(credential['proof'] as { jwt: string }).jwt] },
          aud: verifier,
          nbf: nowSeconds() - 500,
          exp: nowSeconds() - 400,
        },
        wallet.issuer,
      );
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: normalizePresentation(expiredJwt) }), 'EXPIRED', 'The presentation does not verify: it, or a credential in it, has expired.');

      // did-jwt's own words for a JWT it cannot decode stay in the server's log
      const malformed = { ...vp, proof: { ...(vp['proof'] as Json), jwt: 'not.a.jwt' } };
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: malformed }), 'MALFORMED', 'The presentation does not verify: it is malformed.');

      const once = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf: nowSeconds() - 1 });
      assert.equal((await post('/v2/auth/auth-user-with-vp', { vp: once })).status, 200);
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: once }), 'PRESENTATION_REPLAYED', 'This presentation was already used to log in; make a new one.');

      const badCredential = { ...credential, proof: { ...(credential['proof'] as Json), jwt: withBadSignature((credential['proof'] as { jwt: string }).jwt) } };
      const carrying = await walletPresentation(wallet.issuer, [badCredential], { aud: verifier, nbf: nowSeconds() });
      expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: carrying }), 'CREDENTIAL_NOT_VERIFIED', 'The presentation does not verify: verifiableCredential[0]: a signature does not verify.');
    });

    it('a login is found by its bare id or its full requestId, not with anything after the id; at its end it is expired', async () => {
      const login = await startLogin('https://shop.example/login');
      assert.match(login.requestId, /^https:\/\/shop\.example\/login\?requestId=[A-Za-z0-9_-]{24}$/);
      assert.match((await startLogin('https://shop.example/login?from=app')).requestId, /^https:\/\/shop\.example\/login\?from=app&requestId=[A-Za-z0-9_-]{24}$/);
      const id = login.requestId.split('requestId=')[1]!;
      const poll = (requestId: string) => post('/v2/auth/auth-user-result-by-app', { requestId, waitTime: 1 });
      assert.equal((await poll(id)).body.code, 'LOGIN_PENDING');
      assert.equal((await poll(login.requestId)).body.code, 'LOGIN_PENDING');
      const trailing = await poll(`${login.requestId}!`);
      assert.equal(trailing.status, 400);
      assert.equal(trailing.body.code, 'LOGIN_REQUEST_NOT_FOUND');
      const saved = clock.now().getTime();
      clock.advance(60 * SECOND);
      try {
        const expired = await poll(id);
        assert.equal(expired.status, 400);
        assert.equal(expired.body.code, 'LOGIN_REQUEST_EXPIRED');
        const { wallet, credential } = await userWithWallet();
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId, nbf: nowSeconds() });
        const late = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp });
        assert.equal(late.status, 400);
        assert.equal(late.body.code, 'LOGIN_REQUEST_EXPIRED');
      } finally {
        clock.set(saved);
      }
    });

    it('the login demo page names the site of its request without the requestId', async () => {
      const demo = await didKit(db.url, { loginDemoPage: true }, { services: { clock } });
      try {
        const page = await request(appFor(demo).callback()).get('/v2/login-demo');
        assert.equal(page.status, 200);
        assert.ok(page.text.includes('<b id="request-site">http://127.0.0.1:3000/v2/login-demo</b>'), page.text);
      } finally {
        await demo.close();
      }
    });

    it('housekeeping keeps a used VP remembered until it is too old to log in', async () => {
      const { wallet, credential } = await userWithWallet();
      const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf: nowSeconds() });
      assert.equal((await post('/v2/auth/auth-user-with-vp', { vp })).status, 200);
      const saved = clock.now().getTime();
      clock.advance((MAX_AGE - 60) * SECOND);
      try {
        await kit.runHousekeeping();
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp }), 'PRESENTATION_REPLAYED');
      } finally {
        clock.set(saved);
      }
    });

    it('a completed login cannot be cancelled', async () => {
      const { wallet, credential } = await userWithWallet();
      const login = await startLogin();
      const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId, nbf: nowSeconds() });
      assert.equal((await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp })).status, 200);
      const cancel = await post('/v2/auth/cancel-auth-user-by-app', { requestId: login.requestId, resultToken: login.resultToken });
      assert.equal(cancel.status, 400, JSON.stringify(cancel.body));
      assert.equal(cancel.body.code, 'LOGIN_REQUEST_COMPLETED');
    });
  });
}
