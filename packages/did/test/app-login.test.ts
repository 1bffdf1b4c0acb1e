/// <reference path="../src/digitalbazaar.d.ts" />
import assert from 'node:assert/strict';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { createVerifiableCredentialJwt, normalizeCredential } from 'did-jwt-vc';
import request from 'supertest';
import { appFor, createOrganization, createUser, didKit, SEED, walletKey, poster, walletPresentation, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const LOGIN_KEYS = ['token', 'userId', 'name', 'telNo', 'email', 'imageUrl'];

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let other: Kit;
    let clock: ManualClock;
    let app: TestApp;
    let otherApp: TestApp;
    let verifier: string;

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      kit = await didKit(db.url, {}, { services: { clock } });
      // a second instance on the same database: the app may post to one while the site polls the other
      other = await didKit(db.url, {}, { services: { clock } });
      app = appFor(kit).callback();
      otherApp = appFor(other).callback();
      verifier = (await request(app).get('/v2/did/verifiers')).body[0].did;
    });
    after(async () => {
      await other.close();
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, bearer?: string, on: TestApp = app) => poster(on)(path, body, bearer);

    /** A user, a wallet with its own key, and a credential the kit issued to the wallet's DID for the user. */
    async function userWithWallet(extra: Json = {}) {
      const user = await createUser(kit, 'Hong');
      const wallet = walletKey();
      const vc = await post('/v2/did/create-vc', { holder: wallet.did, userInfo: { name: 'Hong' }, ...extra }, user.bearer);
      assert.equal(vc.status, 200);
      return { user, wallet, credential: vc.body as Json };
    }

    async function startLogin(site = 'https://shop.example?', waitTime = 60, on: TestApp = app) {
      const res = await post('/v2/auth/auth-user-by-app', { requestId: site, waitTime }, undefined, on);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as { requestId: string; waitTime: number; resultToken: string };
    }
    const poll = (requestId: string, on: TestApp = app, extra: Json = {}) => post('/v2/auth/auth-user-result-by-app', { requestId, waitTime: 1, ...extra }, undefined, on);

    const me = async (token: string) => (await request(app).get('/rest/v1/account/my_info').set('authorization', `Bearer ${token}`)).body.result?.account_id as string | undefined;

    describe('did: login with a VP (auth-user-with-vp)', () => {
      it('a wallet’s VP of a kit-issued credential logs its account in, as auth-user does', async () => {
        const { user, wallet, credential } = await userWithWallet();
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier });
        const res = await post('/v2/auth/auth-user-with-vp', { vp });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(Object.keys(res.body), LOGIN_KEYS);
        assert.equal(res.body.userId, user.loginId);
        assert.equal(res.body.name, 'Hong');
        assert.equal(res.body.telNo, '+821012345678');
        assert.equal(await me(res.body.token), user.account.id);
      });

      it('logs in with Data Integrity credentials, in a JWT VP or a Data Integrity VP, and with a VP the kit made for a custodial holder', async () => {
        const { user, wallet, credential } = await userWithWallet({ format: 'eddsa-rdfc-2022', dataModel: '1.1' });
        const res = await post('/v2/auth/auth-user-with-vp', { vp: await walletPresentation(wallet.issuer, [credential], { aud: verifier }) });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.userId, user.loginId);
        // a did:key wallet signs a Data Integrity VP of a VC 2.0 credential, for the kit's verifier
        const key = await Ed25519Multikey.generate();
        const did = `did:key:${key.publicKeyMultibase}`;
        key.controller = did;
        key.id = `${did}#${key.publicKeyMultibase}`;
        const v2 = (await post('/v2/did/create-vc', { holder: did, userInfo: {}, format: 'ecdsa-rdfc-2019', dataModel: '2.0' }, user.bearer)).body as Json;
        const login = await startLogin();
        const sign = (domain: string) =>
          vc.signPresentation({
            presentation: vc.createPresentation({ verifiableCredential: v2, holder: did }),
            suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }),
            documentLoader: kit.services.documentLoader,
            challenge: login.requestId,
            domain,
          });
        const elsewhere = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: await sign('did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4') });
        assert.equal(elsewhere.status, 401);
        assert.equal(elsewhere.body.reason, 'AUDIENCE_MISMATCH');
        const diLogin = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: await sign(verifier) });
        assert.equal(diLogin.status, 200, JSON.stringify(diLogin.body));
        assert.equal((await poll(login.requestId)).body.userId, user.loginId);
        const address = (await post('/v2/did/create-address', {}, user.bearer)).body;
        const holder = (await post('/v2/did/create-did', { alias: 'app', ...address })).body.did;
        const custodialVc = (await post('/v2/did/create-vc', { holder, userInfo: {} }, user.bearer)).body;
        const custodialVp = (await post('/v2/did/create-vp', { holder, credentials: [custodialVc] }, user.bearer)).body;
        const custodialLogin = await post('/v2/auth/auth-user-with-vp', { vp: custodialVp });
        assert.equal(custodialLogin.status, 200, JSON.stringify(custodialLogin.body));
        assert.equal(await me(custodialLogin.body.token), user.account.id);
      });

      it('refuses, with the reason, every VP that breaks a rule', async () => {
        const { user, wallet, credential } = await userWithWallet();
        const stranger = walletKey();
        const org = await createOrganization(kit);
        const outside = walletKey();
        const now = Math.floor(clock.now().getTime() / 1000);
        const foreign = normalizeCredential(
          await createVerifiableCredentialJwt(
            {
              '@context': ['https://www.w3.org/2018/credentials/v1'],
              type: ['VerifiableCredential'],
              issuer: outside.did,
              issuanceDate: new Date((now - 60) * 1000).toISOString(),
              credentialSubject: { id: wallet.did, sub: user.loginId },
            },
            outside.issuer,
          ),
        ) as unknown as Json;
        const vcApi = (
          await post(
            '/credentials/issue',
            { credential: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], credentialSubject: { id: wallet.did, sub: user.loginId } } },
            org.bearer,
          )
        ).body.verifiableCredential as Json;
        const revoked = (await post('/v2/did/create-vc', { holder: wallet.did, userInfo: {} }, user.bearer)).body as Json;
        assert.equal((await post('/v2/did/revoke-vc', { credentialId: revoked['id'] }, user.bearer)).status, 200);
        const cases: [string, Promise<Json>, string][] = [
          ['the Finenex document’s VP (addressed to another verifier)', Promise.resolve(SEED.authUserWithVp.vp), 'AUDIENCE_MISMATCH'],
          ['no audience', walletPresentation(wallet.issuer, [credential]), 'AUDIENCE_MISMATCH'],
          ['another holder presents the credential', walletPresentation(stranger.issuer, [credential], { aud: verifier }), 'NO_TRUSTED_CREDENTIAL'],
          ['a credential from another issuer', walletPresentation(wallet.issuer, [foreign], { aud: verifier }), 'NO_TRUSTED_CREDENTIAL'],
          ['a VC-API credential (bound to no account)', walletPresentation(wallet.issuer, [vcApi], { aud: verifier }), 'NO_TRUSTED_CREDENTIAL'],
          ['a revoked credential', walletPresentation(wallet.issuer, [revoked], { aud: verifier }), 'CREDENTIAL_NOT_VERIFIED'],
          ['no credential', walletPresentation(wallet.issuer, [], { aud: verifier }), 'NO_TRUSTED_CREDENTIAL'],
          ['an old VP', walletPresentation(wallet.issuer, [credential], { aud: verifier, nbf: now - 3600 }), 'PRESENTATION_TOO_OLD'],
        ];
        for (const [what, vp, reason] of cases) {
          const res = await post('/v2/auth/auth-user-with-vp', { vp: await vp });
          assert.equal(res.status, 401, what);
          assert.equal(res.body.code, 'PRESENTATION_REJECTED', what);
          assert.equal(res.body.reason, reason, `${what}: ${res.body.message}`);
          assert.equal(res.body.token, undefined);
        }
        const malformed = await post('/v2/auth/auth-user-with-vp', { vp: { holder: wallet.did } });
        assert.equal(malformed.status, 400);
        assert.deepEqual(malformed.body.issues, ['vp.proof: is required.']);
      });

      it('a VP logs in once: its replay is refused', async () => {
        const { wallet, credential } = await userWithWallet();
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier });
        assert.equal((await post('/v2/auth/auth-user-with-vp', { vp })).status, 200);
        const replay = await post('/v2/auth/auth-user-with-vp', { vp }, undefined, otherApp);
        assert.equal(replay.status, 401);
        assert.equal(replay.body.reason, 'PRESENTATION_REPLAYED');
      });

      it('a credential whose sub names no account any more logs no one in', async () => {
        const { user, wallet, credential } = await userWithWallet();
        await kit.services.db.withTables<{ auth_accounts: { id: string } }>().deleteFrom('auth_accounts').where('id', '=', user.account.id).execute();
        const res = await post('/v2/auth/auth-user-with-vp', { vp: await walletPresentation(wallet.issuer, [credential], { aud: verifier }) });
        assert.equal(res.status, 401);
        assert.equal(res.body.reason, 'ACCOUNT_NOT_FOUND');
        assert.equal(res.body.message, 'The credential’s sub names no account of this server.');
      });
    });

    describe('did: website login through the app (auth-user-by-app)', () => {
      it('site asks, the wallet answers with a VP carrying the requestId, the site collects the JWT once', async () => {
        const { user, wallet, credential } = await userWithWallet();
        const login = await startLogin();
        assert.match(login.requestId, /^https:\/\/shop\.example\?requestId=[A-Za-z0-9_-]{24}$/);
        assert.equal(login.waitTime, 60);
        const waiting = await poll(login.requestId);
        assert.equal(waiting.status, 401);
        assert.deepEqual(waiting.body, { status: 401, error: 'Unauthorized', code: 'LOGIN_PENDING', message: 'Still waiting for the app to log in.', path: '/v2/auth/auth-user-result-by-app' });
        // the wallet reads the QR code and posts to the other instance
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId });
        const walletLogin = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp }, undefined, otherApp);
        assert.equal(walletLogin.status, 200, JSON.stringify(walletLogin.body));
        const done = await poll(login.requestId, app, { resultToken: login.resultToken });
        assert.equal(done.status, 200);
        assert.deepEqual(Object.keys(done.body), LOGIN_KEYS);
        assert.equal(done.body.userId, user.loginId);
        assert.equal(await me(done.body.token), user.account.id);
        const again = await poll(login.requestId, otherApp);
        assert.equal(again.status, 400);
        assert.equal(again.body.code, 'LOGIN_RESULT_COLLECTED');
        // the same VP for the same request, or for another one, does nothing
        assert.equal((await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp })).body.code, 'LOGIN_REQUEST_COMPLETED');
        const next = await startLogin();
        const replay = await post('/v2/auth/auth-user-with-vp', { requestId: next.requestId, vp });
        assert.equal(replay.status, 401);
        assert.equal(replay.body.reason, 'CHALLENGE_MISMATCH');
        assert.equal((await poll(next.requestId)).status, 401);
      });

      it('of two concurrent polls on two instances, exactly one gets the JWT', async () => {
        const { wallet, credential } = await userWithWallet();
        const login = await startLogin();
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId });
        assert.equal((await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp })).status, 200);
        const polls = await Promise.all(Array.from({ length: 8 }, (_, i) => poll(login.requestId, i % 2 === 0 ? app : otherApp)));
        assert.deepEqual(polls.map((r) => r.status).sort(), [200, 400, 400, 400, 400, 400, 400, 400]);
        assert.ok(polls.filter((r) => r.status === 400).every((r) => r.body.code === 'LOGIN_RESULT_COLLECTED'));
      });

      it('a VP made for one login request cannot complete another', async () => {
        const { wallet, credential } = await userWithWallet();
        const first = await startLogin();
        const second = await startLogin();
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: first.requestId });
        const wrong = await post('/v2/auth/auth-user-with-vp', { requestId: second.requestId, vp });
        assert.equal(wrong.status, 401);
        assert.equal(wrong.body.reason, 'CHALLENGE_MISMATCH');
        assert.equal((await poll(second.requestId)).status, 401);
        const without = await post('/v2/auth/auth-user-with-vp', { requestId: second.requestId, vp: await walletPresentation(wallet.issuer, [credential], { aud: verifier }) });
        assert.equal(without.body.reason, 'CHALLENGE_MISMATCH');
        assert.equal((await post('/v2/auth/auth-user-with-vp', { requestId: first.requestId, vp })).status, 200);
      });

      it('cancelled: the poll, the VP and a second cancel answer 400', async () => {
        const { wallet, credential } = await userWithWallet();
        const login = await startLogin();
        const cancel = await post('/v2/auth/cancel-auth-user-by-app', { requestId: login.requestId, resultToken: login.resultToken }, undefined, otherApp);
        assert.equal(cancel.status, 204);
        assert.equal(cancel.text, '');
        const polled = await poll(login.requestId);
        assert.equal(polled.status, 400);
        assert.deepEqual(polled.body, { status: 400, error: 'Bad Request', code: 'LOGIN_REQUEST_CANCELLED', message: 'The login request was cancelled.', path: '/v2/auth/auth-user-result-by-app' });
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId });
        assert.equal((await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp })).body.code, 'LOGIN_REQUEST_CANCELLED');
        assert.equal((await post('/v2/auth/cancel-auth-user-by-app', { requestId: login.requestId })).body.code, 'LOGIN_REQUEST_CANCELLED');
      });

      it('expired: past waitTime the poll and the VP answer 400', async () => {
        const { wallet, credential } = await userWithWallet();
        const login = await startLogin('https://shop.example/login', 5);
        assert.match(login.requestId, /^https:\/\/shop\.example\/login\?requestId=/);
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId });
        const started = clock.now().getTime();
        clock.advance(5_001);
        try {
          const polled = await poll(login.requestId);
          assert.equal(polled.status, 400);
          assert.equal(polled.body.code, 'LOGIN_REQUEST_EXPIRED');
          const late = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp });
          assert.equal(late.status, 400);
          assert.equal(late.body.code, 'LOGIN_REQUEST_EXPIRED');
        } finally {
          clock.set(started);
        }
      });

      it('an unknown account does not complete the login, which keeps waiting', async () => {
        const { user, wallet, credential } = await userWithWallet();
        await kit.services.db.withTables<{ auth_accounts: { id: string } }>().deleteFrom('auth_accounts').where('id', '=', user.account.id).execute();
        const login = await startLogin('https://shop.example/?page=1');
        assert.match(login.requestId, /^https:\/\/shop\.example\/\?page=1&requestId=/);
        const res = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp: await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId }) });
        assert.equal(res.status, 401);
        assert.equal(res.body.reason, 'ACCOUNT_NOT_FOUND');
        assert.equal((await poll(login.requestId)).status, 401);
      });

      it('unknown requestIds answer 400; a wrong resultToken 401; bad bodies 400', async () => {
        for (const path of ['/v2/auth/auth-user-result-by-app', '/v2/auth/cancel-auth-user-by-app']) {
          const res = await post(path, { requestId: 'https://my.domain?requestId=1666328121807_6979' });
          assert.equal(res.status, 400);
          assert.deepEqual(res.body, { status: 400, error: 'Bad Request', code: 'LOGIN_REQUEST_NOT_FOUND', message: 'No such login request.', path });
        }
        const { wallet, credential } = await userWithWallet();
        const vpUnknown = await post('/v2/auth/auth-user-with-vp', {
          requestId: 'https://my.domain?requestId=AAAAAAAAAAAAAAAAAAAAAAAA',
          vp: await walletPresentation(wallet.issuer, [credential], { aud: verifier }),
        });
        assert.equal(vpUnknown.status, 400);
        assert.equal(vpUnknown.body.code, 'LOGIN_REQUEST_NOT_FOUND');
        const login = await startLogin();
        const wrongToken = await poll(login.requestId, app, { resultToken: 'not-the-token' });
        assert.equal(wrongToken.status, 401);
        assert.equal(wrongToken.body.code, 'INVALID_RESULT_TOKEN');
        const tooLong = await post('/v2/auth/auth-user-by-app', { requestId: 'https://shop.example?', waitTime: 601 });
        assert.equal(tooLong.status, 400);
        assert.deepEqual(tooLong.body.issues, ['waitTime: must be an integer from 1 to 600.']);
        const missing = await post('/v2/auth/auth-user-by-app', { waitTime: 10 });
        assert.equal(missing.status, 400);
        assert.deepEqual(missing.body.issues, ['requestId: is required.']);
        // waitTime is optional: the default wait
        const defaulted = await post('/v2/auth/auth-user-by-app', { requestId: 'https://shop.example?' });
        assert.equal(defaulted.body.waitTime, 60);
      });

      it('the housekeeping sweep deletes logins an hour past their end and presentations too old to log in', async () => {
        const { wallet, credential } = await userWithWallet();
        const login = await startLogin('https://shop.example?', 10);
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier });
        assert.equal((await post('/v2/auth/auth-user-with-vp', { vp })).status, 200);
        const db2 = kit.services.db.withTables<{ did_app_logins: { id: string }; did_used_presentations: { hash: string } }>();
        const count = async () => [(await db2.selectFrom('did_app_logins').select('id').execute()).length, (await db2.selectFrom('did_used_presentations').select('hash').execute()).length];
        const [logins, used] = await count();
        assert.ok(logins! > 0 && used! > 0);
        await kit.runHousekeeping();
        assert.deepEqual(await count(), [logins, used], 'nothing is due yet');
        const started = clock.now().getTime();
        clock.advance(2 * 3600_000);
        try {
          await kit.runHousekeeping();
          assert.deepEqual(await count(), [0, 0]);
          assert.equal((await poll(login.requestId)).body.code, 'LOGIN_REQUEST_NOT_FOUND');
        } finally {
          clock.set(started);
        }
      });

      it('with requireAppLoginResultToken, only the site that holds the resultToken collects or cancels', async () => {
        const strict = await didKit(db.url, { requireAppLoginResultToken: true }, { services: { clock } });
        try {
          const strictApp = appFor(strict).callback();
          const login = await startLogin('https://shop.example?', 60, strictApp);
          const anonymous = await poll(login.requestId, strictApp);
          assert.equal(anonymous.status, 401);
          assert.equal(anonymous.body.code, 'INVALID_RESULT_TOKEN');
          assert.equal(anonymous.body.message, 'resultToken is required.');
          assert.equal((await post('/v2/auth/cancel-auth-user-by-app', { requestId: login.requestId }, undefined, strictApp)).status, 401);
          assert.equal((await poll(login.requestId, strictApp, { resultToken: login.resultToken })).body.code, 'LOGIN_PENDING');
        } finally {
          await strict.close();
        }
      });
    });
  });
}
