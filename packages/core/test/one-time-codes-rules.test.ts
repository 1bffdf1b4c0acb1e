import assert from 'node:assert/strict';
import type { Kit, OneTimeCodes } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { coreKit } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('core one-time codes: subjects, expiry, revocation and housekeeping', () => {
      let db: TestDatabase;
      let clock: ManualClock;
      let kit: Kit;
      let codes: OneTimeCodes;

      beforeEach(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
        kit = await coreKit(db.url, clock);
        codes = kit.services.oneTimeCodes;
      });
      afterEach(async () => {
        await kit.close();
        await db.drop();
      });

      const wrongFor = (secret: string) => (secret === '000000' ? '111111' : '000000');

      it('refuses a purpose that is empty or longer than 64 characters, and a TTL that is not positive', async () => {
        const purpose = /^TypeError: purpose must be 1-64 characters$/;
        const ttl = /^TypeError: ttlSeconds must be positive$/;
        await assert.rejects(codes.issue({ purpose: '', ttlSeconds: 60 }), (error: Error) => purpose.test(String(error)));
        await assert.rejects(codes.issue({ purpose: 'p'.repeat(65), ttlSeconds: 60 }), (error: Error) => purpose.test(String(error)));
        for (const ttlSeconds of [0, -1, Number.NaN]) await assert.rejects(codes.issue({ purpose: 'test.ttl', ttlSeconds }), (error: Error) => ttl.test(String(error)), String(ttlSeconds));
        const longest = await codes.issue({ purpose: 'p'.repeat(64), ttlSeconds: 60 });
        assert.equal((await codes.consume('p'.repeat(64), { handle: longest.handle }, longest.secret)).ok, true);
      });

      it('each subject has its own codes: another subject’s newer code neither shadows nor supersedes it', async () => {
        const alice = await codes.issue({ purpose: 'test.phone', subject: '+15555550100', ttlSeconds: 600, supersede: true });
        clock.advance(1000);
        const bob = await codes.issue({ purpose: 'test.phone', subject: '+15555550199', ttlSeconds: 600, supersede: true });
        assert.equal((await codes.consume('test.phone', { subject: '+15555550100' }, alice.secret)).ok, true);
        assert.equal((await codes.consume('test.phone', { subject: '+15555550199' }, bob.secret)).ok, true);
      });

      it('without supersede the earlier code of a subject stays valid; codes without a subject never supersede each other', async () => {
        const first = await codes.issue({ purpose: 'test.s', subject: 's', ttlSeconds: 600 });
        clock.advance(1000);
        await codes.issue({ purpose: 'test.s', subject: 's', ttlSeconds: 600 });
        assert.equal((await codes.consume('test.s', { handle: first.handle }, first.secret)).ok, true);
        const one = await codes.issue({ purpose: 'test.token', shape: { kind: 'token', bytes: 32 }, ttlSeconds: 600, supersede: true });
        await codes.issue({ purpose: 'test.token', shape: { kind: 'token', bytes: 32 }, ttlSeconds: 600, supersede: true });
        assert.equal((await codes.consume('test.token', { bySecret: true }, one.secret)).ok, true);
      });

      it('a code is expired from the very millisecond of its TTL: reason "expired", and peek finds nothing', async () => {
        const token = await codes.issue({ purpose: 'test.ttl', shape: { kind: 'token', bytes: 32 }, ttlSeconds: 60 });
        clock.advance(59_999);
        assert.notEqual(await codes.peek('test.ttl', token.secret), null);
        clock.advance(1);
        assert.equal(await codes.peek('test.ttl', token.secret), null);
        assert.deepEqual(await codes.consume('test.ttl', { bySecret: true }, token.secret), { ok: false, reason: 'expired', attemptsLeft: 5 });
      });

      it('a token whose tries are used up is gone for peek too, not only for consume', async () => {
        const token = await codes.issue({ purpose: 'test.ticket', subject: 'org-1', shape: { kind: 'token', bytes: 32 }, ttlSeconds: 600, maxAttempts: 2 });
        for (let i = 0; i < 2; i++) assert.equal((await codes.consume('test.ticket', { subject: 'org-1' }, 'guess')).ok, false);
        assert.equal(await codes.peek('test.ticket', token.secret), null);
        assert.deepEqual(await codes.consume('test.ticket', { subject: 'org-1' }, token.secret), { ok: false, reason: 'exhausted', attemptsLeft: 0 });
      });

      it('parallel guesses past maxAttempts, on two instances, are each refused as exhausted, never accepted', async () => {
        // two kits: two connections, so guesses that read the row before others took the last tries
        // lose at the conditional UPDATE (one connection would run each guess through in turn)
        const other = await coreKit(db.url, clock);
        const issued = await codes.issue({ purpose: 'test.flood', ttlSeconds: 600, maxAttempts: 2 });
        const wrong = wrongFor(issued.secret);
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? other.services.oneTimeCodes : codes).consume('test.flood', { handle: issued.handle }, wrong))).finally(() =>
          other.close(),
        );
        // (attemptsLeft of the two compared guesses is read before their slots: under a race both may say 1)
        assert.equal(results.filter((r) => !r.ok && r.reason === 'invalid').length, 2);
        for (const r of results.filter((r) => r.ok || r.reason !== 'invalid')) assert.deepEqual(r, { ok: false, reason: 'exhausted', attemptsLeft: 0 });
      });

      it('revoke kills the live codes of that subject and purpose only', async () => {
        const mine = await codes.issue({ purpose: 'test.email', subject: 'a@example.com', ttlSeconds: 600 });
        const other = await codes.issue({ purpose: 'test.email', subject: 'b@example.com', ttlSeconds: 600 });
        const otherPurpose = await codes.issue({ purpose: 'test.phone', subject: 'a@example.com', ttlSeconds: 600 });
        await codes.revoke('test.email', 'a@example.com');
        assert.deepEqual(await codes.consume('test.email', { handle: mine.handle }, mine.secret), { ok: false, reason: 'consumed', attemptsLeft: 5 });
        assert.equal((await codes.consume('test.email', { handle: other.handle }, other.secret)).ok, true);
        assert.equal((await codes.consume('test.phone', { handle: otherPurpose.handle }, otherPurpose.secret)).ok, true);
      });

      it('purgeExpired keeps codes for the retention given and deletes those expired longer ago', async () => {
        await codes.issue({ purpose: 'test.old', ttlSeconds: 60 });
        clock.advance(30_000);
        await codes.issue({ purpose: 'test.newer', ttlSeconds: 60 });
        clock.advance(60_000); // the first expired 30 s ago, the second just now
        assert.equal(await codes.purgeExpired(3600), 0);
        assert.equal(await codes.purgeExpired(20), 1);
        assert.equal(await codes.purgeExpired(), 1);
      });
    });
  });
}
