import assert from 'node:assert/strict';
import { createRateLimiter, type Kit, type RateLimitRule } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { sql } from 'kysely';
import { coreKit } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('core rate limiter: rules, counters and housekeeping', () => {
      let db: TestDatabase;
      let clock: ManualClock;
      let kit: Kit;

      beforeEach(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 10)); // 10 s into a minute
        kit = await coreKit(db.url, clock);
      });
      afterEach(async () => {
        await kit.close();
        await db.drop();
      });

      const limiter = (rules: Record<string, RateLimitRule>) => createRateLimiter({ database: kit.services.database, clock, encryption: kit.services.encryption, rules });

      it('refuses a rule whose limit or window is not a positive integer, or whose strategy is unknown, naming it', () => {
        const cases: [RateLimitRule, RegExp][] = [
          [{ limit: 0, windowSeconds: 60 }, /^TypeError: rate limit "r": limit must be a positive integer$/],
          [{ limit: 1.5, windowSeconds: 60 }, /^TypeError: rate limit "r": limit must be a positive integer$/],
          [{ limit: 5, windowSeconds: 0 }, /^TypeError: rate limit "r": windowSeconds must be a positive integer$/],
          [{ limit: 5, windowSeconds: 0.5 }, /^TypeError: rate limit "r": windowSeconds must be a positive integer$/],
          [{ limit: 5, windowSeconds: 60, strategy: 'leaky' as 'fixed' }, /^TypeError: rate limit "r": strategy must be fixed or sliding$/],
        ];
        for (const [rule, message] of cases)
          assert.throws(
            () => limiter({ r: rule }),
            (error: Error) => message.test(String(error)),
            JSON.stringify(rule),
          );
      });

      it('a limit of 1 in a window of 1 s is a valid rule: one hit a second', async () => {
        const one = limiter({ r: { limit: 1, windowSeconds: 1 } });
        assert.deepEqual(one.rule('r'), { limit: 1, windowSeconds: 1, strategy: 'fixed' });
        assert.deepEqual(await one.hit('r', 'k'), { allowed: true, limit: 1, remaining: 0, retryAfterSeconds: 0 });
        assert.deepEqual(await one.hit('r', 'k'), { allowed: false, limit: 1, remaining: 0, retryAfterSeconds: 1 });
        clock.advance(1000);
        assert.equal((await one.hit('r', 'k')).allowed, true);
      });

      it('an unknown rule is a programming error that says where to declare it', async () => {
        const rules = limiter({ r: { limit: 1, windowSeconds: 1 } });
        const unknown = /^TypeError: unknown rate limit rule "nope"; declare it in a plugin's rateLimits$/;
        assert.throws(
          () => rules.rule('nope'),
          (error: Error) => unknown.test(String(error)),
        );
        await assert.rejects(rules.hit('nope', 'k'), (error: Error) => unknown.test(String(error)));
        await assert.rejects(rules.reset('nope', 'k'), (error: Error) => unknown.test(String(error)));
      });

      it('housekeeping in the middle of a window does not reset its counter (fixed)', async () => {
        const rules = limiter({ r: { limit: 2, windowSeconds: 60 } });
        await rules.hit('r', 'k');
        await rules.hit('r', 'k');
        clock.advance(40_000); // 50 s into the window
        assert.equal(await rules.purgeExpired(), 0);
        assert.equal((await rules.hit('r', 'k')).allowed, false);
      });

      it('housekeeping early in the next window keeps the previous one, which the sliding strategy still weighs', async () => {
        const rules = limiter({ r: { limit: 4, windowSeconds: 60, strategy: 'sliding' } });
        for (let i = 0; i < 4; i++) await rules.hit('r', 'k');
        clock.advance(60_000); // 10 s into the next window: 50/60 of the 4 hits (3) still count
        assert.equal(await rules.purgeExpired(), 0);
        assert.deepEqual([(await rules.hit('r', 'k')).allowed, (await rules.hit('r', 'k')).allowed], [true, false]);
        clock.advance(120_000); // both windows past: the counters go
        assert.equal(await rules.purgeExpired(), 2);
      });

      it('a counter fits its column (varchar 96) whatever the length of the rule name, and never holds the key', async () => {
        const name = `plugin-with-a-long-name.${'x'.repeat(60)}`;
        const rules = limiter({ [name]: { limit: 1, windowSeconds: 60 } });
        assert.equal((await rules.hit(name, 'alice@example.com')).allowed, true);
        assert.equal((await rules.hit(name, 'alice@example.com')).allowed, false);
        const rows = await sql<{ bucket: string }>`select bucket from w3kit_rate_limits`.execute(kit.services.db);
        assert.equal(rows.rows.length, 1);
        assert.ok(rows.rows[0]!.bucket.length <= 96, rows.rows[0]!.bucket);
        assert.doesNotMatch(rows.rows[0]!.bucket, /alice/);
      });
    });
  });
}
