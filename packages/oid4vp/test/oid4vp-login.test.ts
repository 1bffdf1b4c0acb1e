import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { endUser, loadBalancer, PUBLIC_URL, site, startInstance, TestIssuer, TestWallet, type Instance } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vp login: a wallet logs an account in with the kit’s SD-JWT VC', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let instance: Instance;
      let issuer: TestIssuer;
      let lb: ReturnType<typeof loadBalancer>;

      before(async () => {
        db = await createTestDatabase(kind);
        issuer = new TestIssuer();
        instance = await startInstance(db.url, issuer);
        lb = loadBalancer(instance);
      });
      after(async () => {
        await instance?.close();
        await db?.drop();
      });

      for (const mode of ['direct_post.jwt', 'direct_post'] as const) {
        it(`oid4vp cross-device with ${mode}: the wallet answers, the site collects the login once`, async () => {
          const accountId = await endUser(instance.kit);
          const wallet = new TestWallet(lb);
          const { credential } = await issuer.issue(accountId, wallet.key.publicJwk);
          const started = await site(lb).start({ response_mode: mode });
          assert.match(started.authorization_request, /^openid4vp:\/\/\?/);
          const waiting = await site(lb).collect({ transaction_id: started.transaction_id, result_token: started.result_token });
          assert.equal(waiting.status, 401);
          assert.equal(waiting.body['code'], 'LOGIN_PENDING');

          const answered = await wallet.login(started.authorization_request, credential);
          assert.equal(answered.request.response_mode, mode);
          assert.equal(answered.audience, `decentralized_identifier:did:web:w3kit.test:oid4vp`);
          assert.equal(answered.status, 200, JSON.stringify(answered.body));
          assert.deepEqual(answered.body, {});

          const login = await site(lb).collect({ transaction_id: started.transaction_id, result_token: started.result_token });
          assert.equal(login.status, 200, JSON.stringify(login.body));
          assert.equal(typeof login.body['token'], 'string');
          const me = await lb.fetch(`${PUBLIC_URL}/rest/v1/account/my_info`, { headers: { authorization: `Bearer ${String(login.body['token'])}` } });
          assert.equal(me.status, 200);

          const again = await site(lb).collect({ transaction_id: started.transaction_id, result_token: started.result_token });
          assert.equal(again.status, 400);
          assert.equal(again.body['code'], 'LOGIN_RESULT_COLLECTED');
        });
      }
    });
  });
}
