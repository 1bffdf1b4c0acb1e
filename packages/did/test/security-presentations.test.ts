import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { credentialProof, didKeyWallet, flippedS, hasHighS, junkProof, presentationOf, presentationProof, proofsOf, reencodedProof, withProofs, type DidKeyWallet } from './forged-presentations.js';
import { appFor, createUser, didKit, poster, SEED, walletKey, walletPresentation, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const jwtOf = (document: Json) => (document['proof'] as { jwt: string }).jwt;

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let clock: ManualClock;
    let app: TestApp;
    let verifier: string;

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      kit = await didKit(db.url, {}, { services: { clock } });
      app = appFor(kit).callback();
      verifier = (await request(app).get('/v2/did/verifiers')).body[0].did;
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, bearer?: string) => poster(app)(path, body, bearer);
    const loader = () => kit.services.documentLoader;

    /** A user whose own did:key wallet holds a Data Integrity credential the kit issued for the user's account. */
    async function userWithDidKeyWallet() {
      const user = await createUser(kit, 'Victim');
      const wallet = await didKeyWallet();
      const res = await post('/v2/did/create-vc', { holder: wallet.did, userInfo: { name: 'Victim' }, format: 'eddsa-rdfc-2022', dataModel: '2.0' }, user.bearer);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { user, wallet, credential: res.body as Json };
    }

    /** The holder's own login VP of the credential, for the kit's verifier. */
    async function loginVp(holder: DidKeyWallet, credential: Json, challenge = 'login-1', date = clock.now()) {
      const presentation = presentationOf(holder.did, [credential]);
      return withProofs(presentation, [await presentationProof(presentation, holder, { challenge, domain: verifier, loader: loader(), date })]);
    }

    /** The attack: the attacker's own key signs a VP naming the victim as holder, behind a junk proof. */
    async function takeover(victim: { wallet: DidKeyWallet; credential: Json }, challenge: string) {
      const attacker = await didKeyWallet();
      const presentation = presentationOf(victim.wallet.did, [victim.credential]);
      const own = await presentationProof(presentation, attacker, { challenge, domain: verifier, loader: loader(), date: clock.now() });
      return withProofs(presentation, [junkProof(own, clock.now()), own]);
    }

    const expectRejected = (res: request.Response, reason: string, what: string) => {
      assert.equal(res.status, 401, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'PRESENTATION_REJECTED', what);
      assert.equal(res.body.reason, reason, `${what}: ${res.body.message}`);
      assert.equal(res.body.token, undefined, what);
    };

    describe('did security: every proof must verify and be the holder’s', () => {
      it('junk proof first, attacker’s proof second: auth-user-with-vp does not log in as the victim', async () => {
        const victim = await userWithDidKeyWallet();
        const res = await post('/v2/auth/auth-user-with-vp', { vp: await takeover(victim, 'any-challenge') });
        expectRejected(res, 'SIGNATURE_INVALID', 'junk first');
        assert.match(res.body.message, /proof\[0\] is made by did:example:junk#key-1, which .* does not authorize for authentication/);
      });

      it('junk proof first: the website login is not completed for the victim', async () => {
        const victim = await userWithDidKeyWallet();
        const login = (await post('/v2/auth/auth-user-by-app', { requestId: 'https://shop.example?' })).body as { requestId: string; resultToken: string };
        const res = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: await takeover(victim, login.requestId) });
        expectRejected(res, 'SIGNATURE_INVALID', 'website login');
        const poll = await post('/v2/auth/auth-user-result-by-app', { requestId: login.requestId, resultToken: login.resultToken });
        assert.equal(poll.status, 401);
        assert.equal(poll.body.code, 'LOGIN_PENDING');
      });

      it('junk proof first: verify-vp and /presentations/verify do not say verified', async () => {
        const victim = await userWithDidKeyWallet();
        const forged = await takeover(victim, 'c-1');
        const finenex = await post('/v2/did/verify-vp', forged);
        assert.equal(finenex.status, 200);
        assert.equal(finenex.body.verified, false);
        assert.equal(finenex.body.code, 'SIGNATURE_INVALID', finenex.body.reason);
        const vcApi = await post('/presentations/verify', { verifiablePresentation: forged, options: { challenge: 'c-1', domain: verifier } });
        assert.equal(vcApi.status, 422);
        assert.equal(vcApi.body.code, 'PRESENTATION_NOT_VERIFIED');
        assert.equal(vcApi.body.verified, false);
        assert.deepEqual(vcApi.body.checks, []);
        assert.equal(vcApi.body.problemDetails[0].title, 'SIGNATURE_INVALID');
        // the same attack without the junk proof was refused before, and still is
        const alone = withProofs(forged, [proofsOf(forged)[1]!]);
        assert.equal((await post('/v2/did/verify-vp', alone)).body.code, 'SIGNATURE_INVALID');
      });

      it('two valid proofs, the second by a key the holder does not authorize: refused on every path', async () => {
        const { wallet, credential } = await userWithDidKeyWallet();
        const attacker = await didKeyWallet();
        const presentation = presentationOf(wallet.did, [credential]);
        const options = { challenge: 'c-2', domain: verifier, loader: loader(), date: clock.now() };
        const both = withProofs(presentation, [await presentationProof(presentation, wallet, options), await presentationProof(presentation, attacker, options)]);
        const res = await post('/v2/did/verify-vp', both);
        assert.equal(res.body.verified, false);
        assert.equal(res.body.code, 'SIGNATURE_INVALID');
        assert.equal(res.body.reason, `proof[1] is made by ${attacker.did}#${attacker.key.publicKeyMultibase}, which the holder ${wallet.did} does not authorize for authentication`);
        const vcApi = await post('/presentations/verify', { verifiablePresentation: both, options: { challenge: 'c-2' } });
        assert.equal(vcApi.body.verified, false);
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: both }), 'SIGNATURE_INVALID', 'login');
        // the holder's proof alone logs in
        const own = withProofs(presentation, [proofsOf(both)[0]!]);
        assert.equal((await post('/v2/auth/auth-user-with-vp', { vp: own })).status, 200);
      });

      it('a proof the suites do not know, or of another purpose, beside a valid one: refused', async () => {
        const { wallet, credential } = await userWithDidKeyWallet();
        const vp = await loginVp(wallet, credential, 'c-3');
        const own = proofsOf(vp)[0]!;
        for (const [what, extra, code] of [
          ['an unknown proof type', { type: 'MadeUpProof2030', proofValue: 'z1' }, 'UNSUPPORTED_PROOF'],
          ['an assertion proof', { ...own, proofPurpose: 'assertionMethod' }, 'UNSUPPORTED_PROOF'],
        ] as const) {
          const res = await post('/v2/did/verify-vp', withProofs(vp, [own, extra]));
          assert.equal(res.body.verified, false, what);
          assert.equal(res.body.code, code, `${what}: ${res.body.reason}`);
        }
      });

      it('a credential with an extra proof by a key its issuer does not authorize, or a junk proof first, does not verify', async () => {
        const { wallet, credential } = await userWithDidKeyWallet();
        const attacker = await didKeyWallet();
        const extra = withProofs(credential, [...proofsOf(credential), await credentialProof(credential, attacker, loader())]);
        const junk = withProofs(credential, [junkProof({ ...proofsOf(credential)[0]! }), ...proofsOf(credential)]);
        for (const [what, forged] of [
          ['extra proof', extra],
          ['junk first', junk],
        ] as const) {
          const res = await post('/v2/did/verify-vc', forged);
          assert.equal(res.body.verified, false, what);
          assert.equal(res.body.code, 'ISSUER_MISMATCH', `${what}: ${res.body.reason}`);
          assert.match(res.body.reason, /^proof\[\d\] is made by \S+, which the issuer did:key:\S+ does not authorize for assertionMethod$/);
          const vcApi = await post('/credentials/verify', { verifiableCredential: forged });
          assert.equal(vcApi.body.verified, false, what);
          assert.equal(vcApi.body.problemDetails[0].title, 'ISSUER_MISMATCH');
          const login = await post('/v2/auth/auth-user-with-vp', { vp: await loginVp(wallet, forged, `c-4-${what}`) });
          expectRejected(login, 'CREDENTIAL_NOT_VERIFIED', what);
        }
        assert.equal((await post('/v2/did/verify-vc', credential)).body.verified, true);
      });

      it('at most 8 proofs: more is a 400 on the routes, and a credential inside a VP with more does not verify', async () => {
        const { wallet, credential } = await userWithDidKeyWallet();
        const nine = withProofs(
          credential,
          Array.from({ length: 9 }, () => proofsOf(credential)[0]!),
        );
        for (const [path, body, field] of [
          ['/v2/did/verify-vc', nine, 'proof'],
          ['/credentials/verify', { verifiableCredential: nine }, 'verifiableCredential.proof'],
        ] as const) {
          const res = await post(path, body);
          assert.equal(res.status, 400, path);
          assert.equal(res.body.code, 'VALIDATION_FAILED', path);
          assert.equal(res.body.issues.length, 1, JSON.stringify(res.body.issues));
          assert.match(res.body.issues[0], new RegExp(`^${field.replace('.', '\\.')}: `), path);
        }
        const vp = await loginVp(wallet, nine, 'c-9');
        // the routes' verification guard (verifyMaxProofs, 4 by default) refuses it before any work…
        const res = await post('/v2/did/verify-vp', vp);
        assert.deepEqual([res.status, res.body.code], [400, 'TOO_COMPLEX_TO_VERIFY']);
        // …and the verifier itself never checks more than MAX_PROOFS, whoever calls it
        const verified = await kit.services.presentationService.verify(vp, {});
        assert.equal(verified.credentials[0]!.problems[0]!.code, 'MALFORMED');
        assert.equal(verified.credentials[0]!.problems[0]!.message, 'the document has 9 proofs; at most 8 are verified');
      });
    });

    describe('did security: replay keys and freshness', () => {
      it('a VP that logged in does not log in again behind a junk proof', async () => {
        const { wallet, credential } = await userWithDidKeyWallet();
        const vp = await loginVp(wallet, credential, 'c-5');
        assert.equal((await post('/v2/auth/auth-user-with-vp', { vp })).status, 200);
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp }), 'PRESENTATION_REPLAYED', 'the same VP');
        const junkFirst = withProofs(vp, [junkProof(proofsOf(vp)[0]!, clock.now()), ...proofsOf(vp)]);
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: junkFirst }), 'SIGNATURE_INVALID', 'junk first');
      });

      it('a VP signed three days ago does not log in behind a junk proof dated now', async () => {
        const { wallet, credential } = await userWithDidKeyWallet();
        const old = await loginVp(wallet, credential, 'c-6');
        clock.advance(3 * 86400_000);
        try {
          expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: old }), 'PRESENTATION_TOO_OLD', 'old');
          const junkFirst = withProofs(old, [junkProof(proofsOf(old)[0]!, clock.now()), ...proofsOf(old)]);
          expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: junkFirst }), 'SIGNATURE_INVALID', 'old, junk first');
          // two proofs of the holder, one old and one new: the older one dates the presentation
          const fresh = await loginVp(wallet, credential, 'c-6');
          expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: withProofs(old, [...proofsOf(fresh), ...proofsOf(old)]) }), 'PRESENTATION_TOO_OLD', 'old and new');
        } finally {
          clock.advance(-3 * 86400_000);
        }
      });

      it('a Data Integrity VP replayed with its proofValue re-encoded (base58btc → base64url), or with one of its two proofs, is a replay', async () => {
        const { wallet, credential } = await userWithDidKeyWallet();
        const vp = await loginVp(wallet, credential, 'c-7');
        const reencoded = withProofs(vp, [reencodedProof(proofsOf(vp)[0]!)]);
        assert.equal((await post('/v2/did/verify-vp', reencoded)).body.verified, true, 'data-integrity accepts the other encoding');
        assert.equal((await post('/v2/auth/auth-user-with-vp', { vp })).status, 200);
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: reencoded }), 'PRESENTATION_REPLAYED', 're-encoded');
        // two proofs of the holder log in once; either one alone afterwards is a replay
        const presentation = presentationOf(wallet.did, [credential]);
        const options = { challenge: 'c-8', domain: verifier, loader: loader() };
        const first = await presentationProof(presentation, wallet, { ...options, date: clock.now() });
        const second = await presentationProof(presentation, wallet, { ...options, date: new Date(clock.now().getTime() - 1000) });
        assert.equal((await post('/v2/auth/auth-user-with-vp', { vp: withProofs(presentation, [first, second]) })).status, 200);
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: withProofs(presentation, [second]) }), 'PRESENTATION_REPLAYED', 'the second proof alone');
      });

      it('a JWT VP replayed with its ES256K signature’s S flipped to n − S is a replay', async () => {
        const user = await createUser(kit);
        const wallet = walletKey();
        const credential = (await post('/v2/did/create-vc', { holder: wallet.did, userInfo: {} }, user.bearer)).body as Json;
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf: Math.floor(clock.now().getTime() / 1000) });
        const flipped = { ...vp, proof: { ...(vp['proof'] as Json), jwt: flippedS(jwtOf(vp)) } };
        assert.notEqual(jwtOf(flipped), jwtOf(vp));
        assert.equal((await post('/v2/did/verify-vp', flipped)).body.verified, true, 'did-jwt accepts either S');
        assert.equal((await post('/v2/auth/auth-user-with-vp', { vp: flipped })).status, 200);
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp }), 'PRESENTATION_REPLAYED', 'the original after the flipped one');
        expectRejected(await post('/v2/auth/auth-user-with-vp', { vp: { proof: { type: 'JwtProof2020', jwt: jwtOf(flipped) } } }), 'PRESENTATION_REPLAYED', 'the bare proof');
      });

      it('the Finenex document’s samples, high-S signatures included, still verify', async () => {
        const jwts = [jwtOf(SEED.verifyVc), jwtOf(SEED.verifyVp), jwtOf((SEED.verifyVp['verifiableCredential'] as Json[])[0]!)];
        assert.ok(jwts.some(hasHighS), 'the Finenex document has a high-S signature');
        assert.equal((await post('/v2/did/verify-vc', SEED.verifyVc)).body.verified, true);
        const vp = await post('/v2/did/verify-vp', SEED.verifyVp);
        assert.equal(vp.body.verified, true, JSON.stringify(vp.body));
        assert.equal(vp.body.credentials[0].verified, true);
      });
    });
  });
}
