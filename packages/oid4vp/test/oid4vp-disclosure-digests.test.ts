import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { endUser, loadBalancer, site, startInstance, TestIssuer, TestWallet, type Instance } from './support.js';

// The kit checks disclosure digests itself (node:crypto, one decode of the presentation): these
// pin what that check must keep accepting and refusing — a disclosure nested in another one is
// referenced through its parent, and one sent without its parent, or twice, is not.

type Answer = { status: number; body: Record<string, unknown> };

const disclosureName = (encoded: string) => (JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown[])[1];

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vp disclosure digests: nested disclosures reached through their parent, orphaned or repeated ones refused', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let instance: Instance;
      let issuer: TestIssuer;

      before(async () => {
        db = await createTestDatabase(kind);
        issuer = new TestIssuer();
        instance = await startInstance(db.url, issuer);
      });
      after(async () => {
        await instance?.close();
        await db?.drop();
      });

      /** A fresh account with a credential that has a nested disclosure, its wallet, and a started request. */
      async function prepared() {
        const lb = loadBalancer(instance);
        const loginId = `nested-${randomBytes(4).toString('hex')}`;
        const accountId = await endUser(instance.kit, loginId);
        const wallet = new TestWallet(lb);
        const { credential } = await issuer.issue(accountId, wallet.key.publicJwk, { nested: true });
        const started = await site(lb).start({});
        const collect = () => site(lb).collect({ transaction_id: started.transaction_id, result_token: started.result_token });
        return { loginId, wallet, credential, started, collect };
      }

      function assertRejected(res: Answer, status: number, code: string, reason: string) {
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(res.body['status'], status);
        assert.equal(res.body['code'], code);
        assert.equal(typeof res.body['message'], 'string');
        assert.equal(res.body['reason'], reason, JSON.stringify(res.body));
      }

      it('oid4vp disclosure digests: a nested disclosure sent with its parent logs the account in', async () => {
        const p = await prepared();
        const answered = await p.wallet.login(p.started.authorization_request, p.credential, { disclose: { sub: true, address: { street_address: true } } });
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        // sub, address and the street_address inside it
        assert.equal(answered.vp.split('~').length - 2, 3);
        const result = await p.collect();
        assert.equal(result.status, 200, JSON.stringify(result.body));
        assert.equal(result.body['userId'], p.loginId);
        assert.equal(typeof result.body['token'], 'string');
      });

      it('oid4vp disclosure digests: a nested disclosure without its parent is refused (DISCLOSURE_UNREFERENCED), and the site hears why', async () => {
        const p = await prepared();
        const orphan = (vp: string) => {
          const [jwt, ...disclosures] = vp.split('~').filter(Boolean);
          assert.ok(disclosures.some((d) => disclosureName(d) === 'street_address'));
          return [jwt, ...disclosures.filter((d) => disclosureName(d) !== 'address'), ''].join('~');
        };
        const answered = await p.wallet.login(p.started.authorization_request, p.credential, { disclose: { sub: true, address: { street_address: true } }, beforeKeyBinding: orphan });
        assertRejected(answered, 401, 'PRESENTATION_REJECTED', 'DISCLOSURE_UNREFERENCED');
        assertRejected(await p.collect(), 400, 'LOGIN_FAILED', 'DISCLOSURE_UNREFERENCED');
      });

      it('oid4vp disclosure digests: a disclosure sent twice is refused (DISCLOSURE_UNREFERENCED)', async () => {
        const p = await prepared();
        const twice = (vp: string) => {
          const [jwt, ...disclosures] = vp.split('~').filter(Boolean);
          const sub = disclosures.find((d) => disclosureName(d) === 'sub')!;
          return [jwt, ...disclosures, sub, ''].join('~');
        };
        const answered = await p.wallet.login(p.started.authorization_request, p.credential, { beforeKeyBinding: twice });
        assertRejected(answered, 401, 'PRESENTATION_REJECTED', 'DISCLOSURE_UNREFERENCED');
      });
    });
  });
}
