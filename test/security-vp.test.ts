import assert from 'node:assert/strict';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { didKeyWallet, flippedS, junkProof, presentationOf, presentationProof, withProofs, type DidKeyWallet } from '../packages/did/test/forged-presentations.js';
import { walletKey, walletPresentation } from '../packages/did/test/support.js';
import { endUserWithLogin, startFullKit, type FullKit } from './full-kit.js';
import { errorShapeProblem } from './hostile-requests.js';

type Json = Record<string, unknown>;

/**
 * Issue 11, items 1, 2 and 6, against the full kit behind a real server: an attacker's own
 * did:key signs a presentation naming the victim as holder, behind a junk proof; a used or
 * three-day-old presentation behind a junk proof; a used JWT VP with its signature's S flipped.
 * The rule is in docs/did.md ("Proofs and replay"); the plugin-level cases are in
 * packages/did/test/security-presentations.test.ts.
 */
describe('security: presentations (full kit)', () => {
  for (const kind of testDatabases()) {
    describe(kind, function () {
      this.timeout(30_000);
      let db: TestDatabase;
      let clock: ManualClock;
      let full: FullKit;
      let verifier: string;
      const api = () => request(full.url);
      const loader = () => full.kit.services.documentLoader;

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        full = await startFullKit(db.url, { clock });
        verifier = (await api().get('/v2/did/verifiers')).body[0].did;
      });
      after(async () => {
        await full?.close();
        await db?.drop();
      });

      /** The victim: an account whose own did:key wallet holds the Data Integrity credential the kit issued for it. */
      async function victim() {
        const account = await endUserWithLogin(full.kit);
        const wallet = await didKeyWallet();
        const res = await api()
          .post('/v2/did/create-vc')
          .set('authorization', account.bearer)
          .send({ holder: wallet.did, userInfo: { name: 'Ada' }, format: 'eddsa-rdfc-2022' });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return { account, wallet, credential: res.body as Json };
      }

      /** The attacker's own key signs a VP naming the victim as holder, with the victim's credential, behind a junk proof. */
      async function forged(target: { wallet: DidKeyWallet; credential: Json }, challenge: string) {
        const attacker = await didKeyWallet();
        const presentation = presentationOf(target.wallet.did, [target.credential]);
        const own = await presentationProof(presentation, attacker, { challenge, domain: verifier, loader: loader(), date: clock.now() });
        return withProofs(presentation, [junkProof(own, clock.now()), own]);
      }

      const login = (body: Json) => api().post('/v2/auth/auth-user-with-vp').send(body);

      function expectRejected(res: request.Response, reason: string) {
        assert.equal(res.status, 401, JSON.stringify(res.body));
        assert.equal(errorShapeProblem('finenex', 401, res.body), null);
        assert.equal(res.body.code, 'PRESENTATION_REJECTED');
        assert.equal(res.body.reason, reason, res.body.message);
        assert.equal(res.body.token, undefined);
      }

      it('junk proof first: no login as the victim, no website login completed, verify-vp and /presentations/verify say not verified', async () => {
        const target = await victim();
        expectRejected(await login({ vp: await forged(target, 'c-1') }), 'SIGNATURE_INVALID');

        const site = (await api().post('/v2/auth/auth-user-by-app').send({ requestId: 'https://shop.example?' })).body as { requestId: string; resultToken: string };
        expectRejected(await login({ requestId: site.requestId, vp: await forged(target, site.requestId) }), 'SIGNATURE_INVALID');
        const poll = await api().post('/v2/auth/auth-user-result-by-app').send({ requestId: site.requestId, resultToken: site.resultToken });
        assert.equal(poll.status, 401);
        assert.equal(poll.body.code, 'LOGIN_PENDING');

        const vp = await forged(target, 'c-2');
        const finenex = await api().post('/v2/did/verify-vp').send(vp);
        assert.equal(finenex.status, 200);
        assert.equal(finenex.body.verified, false);
        assert.equal(finenex.body.code, 'SIGNATURE_INVALID');
        assert.equal(finenex.body.challenge, null, 'nothing is read from an unverified proof');
        const vcApi = await api()
          .post('/presentations/verify')
          .send({ verifiablePresentation: vp, options: { challenge: 'c-2', domain: verifier } });
        assert.equal(vcApi.status, 422);
        assert.equal(vcApi.body.code, 'PRESENTATION_NOT_VERIFIED');
        assert.equal(vcApi.body.verified, false);
        assert.equal(vcApi.body.problemDetails[0].title, 'SIGNATURE_INVALID');
        assert.equal(vcApi.body.results.challenge.valid, false);
        assert.deepEqual(vcApi.body.results.holder, { valid: false, input: target.wallet.did });
      });

      it('a used VP, or one signed three days ago, does not log in again behind a junk proof dated now', async () => {
        const { wallet, credential } = await victim();
        const presentation = presentationOf(wallet.did, [credential]);
        const own = await presentationProof(presentation, wallet, { challenge: 'c-3', domain: verifier, loader: loader(), date: clock.now() });
        assert.equal((await login({ vp: withProofs(presentation, [own]) })).status, 200);
        expectRejected(await login({ vp: withProofs(presentation, [own]) }), 'PRESENTATION_REPLAYED');
        expectRejected(await login({ vp: withProofs(presentation, [junkProof(own, clock.now()), own]) }), 'SIGNATURE_INVALID');

        const old = await presentationProof(presentation, wallet, { challenge: 'c-4', domain: verifier, loader: loader(), date: clock.now() });
        clock.advance(3 * 86400_000);
        try {
          expectRejected(await login({ vp: withProofs(presentation, [old]) }), 'PRESENTATION_TOO_OLD');
          expectRejected(await login({ vp: withProofs(presentation, [junkProof(old, clock.now()), old]) }), 'SIGNATURE_INVALID');
        } finally {
          clock.advance(-3 * 86400_000);
        }
      });

      it('a used JWT VP with its signature’s S flipped to n − S does not log in again', async () => {
        const account = await endUserWithLogin(full.kit);
        const wallet = walletKey();
        const credential = (await api().post('/v2/did/create-vc').set('authorization', account.bearer).send({ holder: wallet.did, userInfo: {} })).body as Json;
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf: Math.floor(clock.now().getTime() / 1000) });
        const proof = vp['proof'] as { type: string; jwt: string };
        const used = await login({ vp });
        assert.equal(used.status, 200, JSON.stringify(used.body));
        const flipped = { ...vp, proof: { ...proof, jwt: flippedS(proof.jwt) } };
        assert.equal((await api().post('/v2/did/verify-vp').send(flipped)).body.verified, true, 'the flipped JWT is a valid signature');
        expectRejected(await login({ vp: flipped }), 'PRESENTATION_REPLAYED');
      });
    });
  }
});
