/// <reference path="../src/digitalbazaar.d.ts" />
// Wallets the kit did not write: third-party libraries with their default options build the
// presentation, as a wallet app does; it must verify and log in (app login and website login).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
// @ts-expect-error the Learner Credential Wallet's library ships no types
import * as dcc from '@digitalcredentials/vc';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { ES256KSigner } from 'did-jwt';
import { createVerifiablePresentationJwt, normalizePresentation } from 'did-jwt-vc';
import { computeAddress, SigningKey } from 'ethers';
import request from 'supertest';
import { referenceDocumentLoader } from './independent-verifiers.js';
import { appFor, createUser, didKit, poster, SEED, type TestApp } from './support.js';

type Json = Record<string, unknown>;

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: TestApp;
    let verifier: string;
    let loader: ReturnType<typeof referenceDocumentLoader>;

    before(async () => {
      db = await createTestDatabase(kind);
      kit = await didKit(db.url);
      app = appFor(kit).callback();
      verifier = (await request(app).get('/v2/did/verifiers')).body[0].did;
      // the wallet's own loader: Digital Bazaar's security loader, status lists over HTTP
      loader = referenceDocumentLoader(async (url) => (await request(app).get(new URL(url).pathname)).body as unknown);
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, bearer?: string) => poster(app)(path, body, bearer);
    const startLogin = async () => (await post('/v2/auth/auth-user-by-app', { requestId: 'https://shop.example?', waitTime: 60 })).body as { requestId: string; resultToken: string };
    const collect = async (login: { requestId: string; resultToken: string }) =>
      (await post('/v2/auth/auth-user-result-by-app', { requestId: login.requestId, resultToken: login.resultToken, waitTime: 1 })).body as Json;

    describe('did wallets: did-jwt-vc createVerifiablePresentationJwt with its defaults', () => {
      it('an undated VP bound to a website login’s requestId logs in; an app login needs nbf; the undated VP completes no other login', async () => {
        const user = await createUser(kit, 'Wallet');
        // the wallet makes its own key and did:ethr
        const key = new SigningKey(randomBytes(32));
        const did = `did:ethr:${computeAddress(key.publicKey).toLowerCase()}`;
        const holder = { did, alg: 'ES256K', signer: ES256KSigner(Buffer.from(key.privateKey.slice(2), 'hex')) };
        const credential = (await post('/v2/did/create-vc', { holder: did, userInfo: { name: 'Wallet' } }, user.bearer)).body as { proof: { jwt: string } };
        const vp = (extra: Json) =>
          createVerifiablePresentationJwt(
            { vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [credential.proof.jwt] }, ...extra },
            holder,
          );

        const login = await startLogin();
        const undated = await vp({ aud: verifier, nonce: login.requestId });
        const payload = JSON.parse(Buffer.from(undated.split('.')[1]!, 'base64url').toString('utf8')) as Json;
        assert.equal(payload['iat'], undefined, 'did-jwt-vc adds no iat');
        assert.equal(payload['nbf'], undefined);
        // not for the app login: nothing says when it was made
        const app1 = await post('/v2/auth/auth-user-with-vp', { vp: normalizePresentation(undated) });
        assert.equal(app1.status, 401);
        assert.equal(app1.body.reason, 'PRESENTATION_TOO_OLD');
        // nor for another website login
        const other = await startLogin();
        const elsewhere = await post('/v2/auth/auth-user-with-vp', { requestId: other.requestId, vp: normalizePresentation(undated) });
        assert.equal(elsewhere.status, 401);
        assert.equal(elsewhere.body.reason, 'CHALLENGE_MISMATCH');
        assert.equal(elsewhere.body.message, 'The presentation does not verify: its challenge (JWT nonce, proof.challenge) is missing or is not the one the verifier asked for.');
        // for its own login it is fresh by construction
        const site = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: normalizePresentation(undated) });
        assert.equal(site.status, 200, JSON.stringify(site.body));
        assert.equal((await collect(login))['userId'], user.loginId);
        const again = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: normalizePresentation(undated) });
        assert.equal(again.status, 400);
        assert.equal(again.body.code, 'LOGIN_REQUEST_COMPLETED');
        // the app login: the wallet says when it made the VP
        const dated = await post('/v2/auth/auth-user-with-vp', { vp: normalizePresentation(await vp({ aud: verifier, nonce: 'app-nonce-1', nbf: Math.floor(Date.now() / 1000) })) });
        assert.equal(dated.status, 200, JSON.stringify(dated.body));
        assert.equal(dated.body.userId, user.loginId);
      });
    });

    // Each library signs with its own defaults (proof.created is the time of signing).
    const libraries: [string, typeof vc.signPresentation, typeof vc.createPresentation][] = [
      ['@digitalbazaar/vc', vc.signPresentation, vc.createPresentation],
      ['@digitalcredentials/vc (Learner Credential Wallet)', dcc.signPresentation, dcc.createPresentation],
    ];
    for (const [library, signPresentation, createPresentation] of libraries) {
      describe(`did wallets: ${library} signPresentation with a did:key`, () => {
        for (const curve of ['Ed25519', 'P-256'] as const) {
          it(`${curve}: website login (challenge = requestId, domain = verifier DID) and app login (the wallet’s own challenge)`, async () => {
            const user = await createUser(kit, 'Wallet');
            const key = curve === 'Ed25519' ? await Ed25519Multikey.generate() : await EcdsaMultikey.generate({ curve: 'P-256' });
            const did = `did:key:${key.publicKeyMultibase}`;
            key.controller = did;
            key.id = `${did}#${key.publicKeyMultibase}`;
            const suite = () => new DataIntegrityProof({ signer: key.signer(), cryptosuite: curve === 'Ed25519' ? eddsaRdfc2022 : ecdsaRdfc2019 });
            const credential = (await post('/v2/did/create-vc', { holder: did, userInfo: { name: 'Wallet' }, format: 'eddsa-rdfc-2022', dataModel: '2.0' }, user.bearer)).body as Json;
            const sign = (challenge: string) =>
              signPresentation({ presentation: createPresentation({ verifiableCredential: [credential], holder: did }), suite: suite(), documentLoader: loader, challenge, domain: verifier });

            const login = await startLogin();
            const site = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: await sign(login.requestId) });
            assert.equal(site.status, 200, JSON.stringify(site.body));
            assert.equal((await collect(login))['userId'], user.loginId);
            const appLogin = await post('/v2/auth/auth-user-with-vp', { vp: await sign(`wallet-${randomBytes(8).toString('hex')}`) });
            assert.equal(appLogin.status, 200, JSON.stringify(appLogin.body));
            assert.equal(appLogin.body.userId, user.loginId);
          });
        }
      });
    }

    describe('did wallets: the Finenex document’s own auth-user-with-vp sample', () => {
      it('is refused naming the verifier DID to address, never with a library’s message', async () => {
        const res = await post('/v2/auth/auth-user-with-vp', { vp: SEED.authUserWithVp.vp });
        assert.equal(res.status, 401);
        assert.equal(res.body.code, 'PRESENTATION_REJECTED');
        assert.equal(res.body.reason, 'AUDIENCE_MISMATCH');
        assert.equal(res.body.expected_audience, verifier);
        assert.equal(res.body.message, `The presentation is not addressed to this server: address it (JWT aud, Data Integrity proof.domain) to ${verifier} (GET /v2/did/verifiers).`);
        assert.doesNotMatch(JSON.stringify(res.body), /invalid_config|JWT audience/);
      });
    });
  });
}
