import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { oid4vp } from '@w3kit/oid4vp';
import { endUser, loadBalancer, PUBLIC_URL, site, startInstance, TestIssuer, TestWallet, type Instance, type WalletTweaks } from './support.js';

// A presentation's offline checks run on worker threads (presentation-workers.ts): many answers
// in flight at once share the workers, and each must hear its own verdict — an accepted one logs
// its own account in, a refused one names its own reason — never another answer's.

type Answer = { status: number; body: Record<string, unknown> };

for (const kind of testDatabases()) {
  describe(kind, () => {
    for (const presentationWorkers of [undefined, 0]) {
      describe(`oid4vp presentation workers (${presentationWorkers ?? 'default'}): concurrent answers each hear their own verdict`, function () {
        this.timeout(60_000);
        let db: TestDatabase;
        let instance: Instance;
        let issuer: TestIssuer;

        before(async () => {
          db = await createTestDatabase(kind);
          issuer = new TestIssuer();
          instance = await startInstance(db.url, issuer, presentationWorkers === undefined ? {} : { presentationWorkers });
        });
        after(async () => {
          await instance?.close();
          await db?.drop();
        });

        it('oid4vp presentation workers: twelve answers at once, good and refused (aud, nonce, revoked), each logs in its own account or names its own reason', async () => {
          const lb = loadBalancer(instance);
          const cases: { tweaks: WalletTweaks; revoke?: boolean; reason?: string }[] = [
            { tweaks: {} },
            { tweaks: { aud: 'decentralized_identifier:did:web:evil.example' }, reason: 'AUDIENCE_MISMATCH' },
            { tweaks: {} },
            { tweaks: { nonce: 'another-request-nonce-0000' }, reason: 'NONCE_MISMATCH' },
            { tweaks: {}, revoke: true, reason: 'REVOKED' },
            { tweaks: {} },
          ];
          // made one after another (each account's password is hashed: the hashing queue is bounded)
          const prepared = [];
          for (const c of [...cases, ...cases]) {
            const accountId = await endUser(instance.kit);
            const wallet = new TestWallet(lb);
            const issued = await issuer.issue(accountId, wallet.key.publicJwk);
            if (c.revoke) issuer.revoked.add(issued.idx);
            const started = await site(lb).start({});
            prepared.push({ ...c, accountId, wallet, credential: issued.credential, started });
          }
          const answers: Answer[] = await Promise.all(prepared.map((p) => p.wallet.login(p.started.authorization_request, p.credential, p.tweaks)));
          for (const [i, p] of prepared.entries()) {
            const answer = answers[i]!;
            const collected = await site(lb).collect({ transaction_id: p.started.transaction_id, result_token: p.started.result_token });
            if (p.reason === undefined) {
              assert.equal(answer.status, 200, JSON.stringify(answer.body));
              assert.equal(collected.status, 200, JSON.stringify(collected.body));
              const me = await lb.fetch(`${PUBLIC_URL}/rest/v1/account/my_info`, { headers: { authorization: `Bearer ${String(collected.body['token'])}` } });
              assert.equal(((await me.json()) as { result?: { account_id?: string } }).result?.account_id, p.accountId, 'the login is the account this answer presented');
            } else {
              assert.equal(answer.status, 401, JSON.stringify(answer.body));
              assert.equal(answer.body['code'], 'PRESENTATION_REJECTED');
              assert.equal(answer.body['reason'], p.reason, JSON.stringify(answer.body));
              assert.equal(collected.status, 400);
              assert.equal(collected.body['reason'], p.reason);
            }
          }
        });
      });
    }
  });
}

describe('oid4vp presentation workers option', () => {
  it('oid4vp presentation workers: a negative or fractional presentationWorkers is a startup error that names it', () => {
    for (const presentationWorkers of [-1, 1.5, Number.NaN]) assert.throws(() => oid4vp({ presentationWorkers }), /oid4vp: presentationWorkers must be a non-negative integer/);
  });
});
