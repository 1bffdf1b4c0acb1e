import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { endUser, loadBalancer, site, startInstance, TestIssuer, TestWallet, type Instance } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vp two instances: every step may reach another instance behind the load balancer', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let a: Instance;
      let b: Instance;
      const issuer = new TestIssuer();

      before(async () => {
        db = await createTestDatabase(kind);
        // one after the other: the second finds the migrations done
        a = await startInstance(db.url, issuer);
        b = await startInstance(db.url, issuer);
      });
      after(async () => {
        await a?.close();
        await b?.close();
        await db?.drop();
      });

      it('oid4vp request on B, request object and response to A, result on B (once)', async () => {
        const accountId = await endUser(a.kit);
        const lb = loadBalancer(b);
        const wallet = new TestWallet(lb);
        const { credential } = await issuer.issue(accountId, wallet.key.publicJwk);
        const started = await site(lb).start();

        lb.to(a);
        const answered = await wallet.login(started.authorization_request, credential);
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        // the request object was handed out on A: B refuses it too
        lb.to(b);
        const again = await lb.fetch(started.request_uri);
        assert.equal(again.status, 400);
        assert.equal(((await again.json()) as { code: string }).code, 'REQUEST_URI_USED');

        const login = await site(lb).collect({ transaction_id: started.transaction_id, result_token: started.result_token });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        lb.to(a);
        const second = await site(lb).collect({ transaction_id: started.transaction_id, result_token: started.result_token });
        assert.equal(second.status, 400);
        assert.equal(second.body['code'], 'LOGIN_RESULT_COLLECTED');
      });

      it('oid4vp both instances sign requests as the same verifier (one did:web, one key)', async () => {
        assert.deepEqual(a.kit.services.oid4vpService.identity.didDocument, b.kit.services.oid4vpService.identity.didDocument);
      });
    });
  });
}
