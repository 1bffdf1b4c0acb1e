import assert from 'node:assert/strict';
import { createDatabase, createKit, type KitPlugin } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { sql } from 'kysely';
import { MASTER_KEY } from './support.js';

const LIMIT = 5;

function limitsPlugin(strategy: 'fixed' | 'sliding' = 'fixed'): KitPlugin {
  return { name: 'limits', rateLimits: { 'limits.test': { limit: LIMIT, windowSeconds: 60, strategy } } };
}

const kitOn = (url: string, plugins: KitPlugin[], services = {}) => createKit({ database: url, plugins, services, config: { masterKey: MASTER_KEY, mode: 'test', housekeepingIntervalSeconds: 0 } });

for (const kind of testDatabases()) {
  describe(kind, () => {
    let testDb: TestDatabase;
    beforeEach(async () => {
      testDb = await createTestDatabase(kind);
    });
    afterEach(() => testDb.drop());

    describe('rate limiter', () => {
      it('two kit instances on one database admit exactly the limit of N parallel hits', async () => {
        const a = await kitOn(testDb.url, [limitsPlugin()]);
        const b = await kitOn(testDb.url, [limitsPlugin()]);
        try {
          const hits = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).services.rateLimiter.hit('limits.test', 'client-1'));
          const decisions = await Promise.all(hits);
          assert.equal(decisions.filter((d) => d.allowed).length, LIMIT);
          assert.ok(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds >= 1 && d.remaining === 0));
          // another key has its own budget
          assert.equal((await a.services.rateLimiter.hit('limits.test', 'client-2')).allowed, true);
        } finally {
          await a.close();
          await b.close();
        }
      });

      it('opens again in the next fixed window, and enforce() throws RATE_LIMITED', async () => {
        const clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
        const kit = await kitOn(testDb.url, [limitsPlugin()], { clock });
        try {
          for (let i = 0; i < LIMIT; i++) await kit.services.rateLimiter.enforce('limits.test', 'k');
          await assert.rejects(kit.services.rateLimiter.enforce('limits.test', 'k'), (error: { code: string; status: number; headers: Record<string, string> }) => {
            assert.equal(error.code, 'RATE_LIMITED');
            assert.equal(error.status, 429);
            assert.equal(error.headers['retry-after'], '60');
            return true;
          });
          clock.advance(60_000);
          assert.equal((await kit.services.rateLimiter.hit('limits.test', 'k')).allowed, true);
          await kit.services.rateLimiter.reset('limits.test', 'k');
          assert.equal((await kit.services.rateLimiter.hit('limits.test', 'k')).remaining, LIMIT - 1);
        } finally {
          await kit.close();
        }
      });

      it('sliding window weighs the previous window, so no double burst at the edge', async () => {
        const clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 50)); // 50 s into a window
        const kit = await kitOn(testDb.url, [limitsPlugin('sliding')], { clock });
        try {
          for (let i = 0; i < LIMIT; i++) assert.equal((await kit.services.rateLimiter.hit('limits.test', 'k')).allowed, true);
          clock.advance(15_000); // 5 s into the next window: 55/60 of the previous 5 hits still count (4)
          const burst = [];
          for (let i = 0; i < LIMIT; i++) burst.push((await kit.services.rateLimiter.hit('limits.test', 'k')).allowed);
          assert.deepEqual(burst, [true, false, false, false, false], 'a fixed window would admit all five');
          clock.advance(120_000); // both windows behind us
          assert.equal((await kit.services.rateLimiter.hit('limits.test', 'k')).allowed, true);
        } finally {
          await kit.close();
        }
      });

      it('stores keys only as hashes and purges expired counters', async () => {
        const clock = createManualClock();
        const kit = await kitOn(testDb.url, [limitsPlugin()], { clock });
        try {
          await kit.services.rateLimiter.hit('limits.test', 'alice@example.com');
          const rows = await sql<{ bucket: string }>`select bucket from w3kit_rate_limits`.execute(kit.services.db);
          assert.equal(rows.rows.length, 1);
          assert.doesNotMatch(rows.rows[0]!.bucket, /alice/);
          clock.advance(121_000);
          assert.equal(await kit.services.rateLimiter.purgeExpired(), 1);
        } finally {
          await kit.close();
        }
      });
    });

    describe('one-time codes', () => {
      it('six CSPRNG digits, hashed at rest, consumed exactly once under concurrency', async () => {
        const a = await kitOn(testDb.url, []);
        const b = await kitOn(testDb.url, []);
        try {
          const issued = await a.services.oneTimeCodes.issue({ purpose: 'test.phone', subject: '+15555550100', ttlSeconds: 600, data: { phone: '+15555550100' } });
          assert.match(issued.secret, /^\d{6}$/);
          const stored = await sql<Record<string, unknown>>`select * from w3kit_one_time_codes`.execute(a.services.db);
          // the code is in no text column (timestamps and counters are numbers that may contain any six digits)
          const numeric = new Set(['created_at', 'expires_at', 'consumed_at', 'attempts', 'max_attempts']);
          const text = stored.rows.map((r) => Object.entries(r).filter(([column]) => !numeric.has(column)));
          assert.doesNotMatch(JSON.stringify(text), new RegExp(issued.secret));
          assert.doesNotMatch(JSON.stringify(stored.rows.map((r) => ({ ...r, data: null }))), /15555550100/, 'the subject is stored only as a hash');
          const tries = Array.from({ length: 4 }, (_, i) => (i % 2 ? a : b).services.oneTimeCodes.consume<{ phone: string }>('test.phone', { handle: issued.handle }, issued.secret));
          const results = await Promise.all(tries);
          const wins = results.filter((r) => r.ok);
          assert.equal(wins.length, 1);
          assert.deepEqual(wins[0]!.ok && wins[0]!.data, { phone: '+15555550100' });
          assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'consumed'));
        } finally {
          await a.close();
          await b.close();
        }
      });

      it('dies after the 5th wrong try: the right code on the 6th try fails', async () => {
        const kit = await kitOn(testDb.url, []);
        try {
          const codes = kit.services.oneTimeCodes;
          const issued = await codes.issue({ purpose: 'test.email', subject: 'a@example.com', ttlSeconds: 1800 });
          const wrong = issued.secret === '000000' ? '111111' : '000000';
          const left: number[] = [];
          for (let i = 0; i < 5; i++) {
            const r = await codes.consume('test.email', { subject: 'a@example.com' }, wrong);
            assert.equal(r.ok, false);
            assert.equal(!r.ok && r.reason, 'invalid');
            left.push(r.attemptsLeft);
          }
          assert.deepEqual(left, [4, 3, 2, 1, 0]);
          const right = await codes.consume('test.email', { subject: 'a@example.com' }, issued.secret);
          assert.deepEqual(right, { ok: false, reason: 'exhausted', attemptsLeft: 0 });
        } finally {
          await kit.close();
        }
      });

      it('a flood of parallel guesses compares at most maxAttempts of them', async () => {
        const kit = await kitOn(testDb.url, []);
        try {
          const codes = kit.services.oneTimeCodes;
          const issued = await codes.issue({ purpose: 'test.flood', ttlSeconds: 600, maxAttempts: 3 });
          const guesses = Array.from({ length: 30 }, (_, i) => String(i).padStart(6, '0')).filter((g) => g !== issued.secret);
          const results = await Promise.all(guesses.map((g) => codes.consume('test.flood', { handle: issued.handle }, g)));
          assert.equal(results.filter((r) => !r.ok && r.reason === 'invalid').length, 3);
          assert.equal((await codes.consume('test.flood', { handle: issued.handle }, issued.secret)).ok, false);
        } finally {
          await kit.close();
        }
      });

      it('expires, supersedes older codes, and looks tokens up by their secret', async () => {
        const clock = createManualClock();
        const kit = await kitOn(testDb.url, [], { clock });
        try {
          const codes = kit.services.oneTimeCodes;
          const first = await codes.issue({ purpose: 'test.s', subject: 's', ttlSeconds: 60 });
          const second = await codes.issue({ purpose: 'test.s', subject: 's', ttlSeconds: 60, supersede: true });
          assert.equal((await codes.consume('test.s', { handle: first.handle }, first.secret)).ok, false);
          clock.advance(60_001);
          assert.deepEqual(await codes.consume('test.s', { subject: 's' }, second.secret), { ok: false, reason: 'expired', attemptsLeft: 5 });

          const ticket = await codes.issue({ purpose: 'test.ticket', shape: { kind: 'token', bytes: 32 }, ttlSeconds: 300, data: { org: 'acme' } });
          assert.match(ticket.secret, /^[A-Za-z0-9_-]{43}$/);
          assert.deepEqual((await codes.peek('test.ticket', ticket.secret))?.data, { org: 'acme' });
          assert.equal(await codes.peek('test.other', ticket.secret), null, 'a token of one purpose is not one of another');
          assert.equal((await codes.consume('test.ticket', { bySecret: true }, ticket.secret)).ok, true);
          assert.equal(await codes.peek('test.ticket', ticket.secret), null);
          assert.deepEqual(await codes.consume('test.ticket', { bySecret: true }, 'not-a-token'), { ok: false, reason: 'not_found', attemptsLeft: 0 });
          clock.advance(300_000);
          assert.ok((await codes.purgeExpired()) >= 2);
        } finally {
          await kit.close();
        }
      });
    });

    describe('migrations', () => {
      const plugin = (marker: string): KitPlugin => ({
        name: 'widgets',
        migrations: {
          '0001_widgets': {
            async up(db) {
              await db.schema
                .createTable('widgets')
                .addColumn('id', 'integer', (c) => c.primaryKey())
                .execute();
              await db.insertInto('widgets').values({ id: 1 }).execute();
            },
          },
          '0002_widget_names': {
            async up(db) {
              await db.schema.alterTable('widgets').addColumn('name', 'varchar(20)').execute();
              await sql`update widgets set name = ${marker}`.execute(db);
            },
          },
        },
      });

      it('running them twice is a no-op', async () => {
        const kit = await kitOn(testDb.url, [plugin('x')]);
        try {
          assert.deepEqual(await kit.migrate(), []);
          const rows = await sql<{ id: number; name: string }>`select * from widgets`.execute(kit.services.db);
          assert.deepEqual(
            rows.rows.map((r) => [Number(r.id), r.name]),
            [[1, 'x']],
          );
        } finally {
          await kit.close();
        }
      });

      it('concurrent startups on a fresh database apply each migration once', async () => {
        const kits = await Promise.all([kitOn(testDb.url, [plugin('a')]), kitOn(testDb.url, [plugin('a')]), kitOn(testDb.url, [plugin('a')])]);
        try {
          const rows = await sql<{ id: number }>`select id from widgets`.execute(kits[0].services.db);
          assert.equal(rows.rows.length, 1, 'the insert of 0001 ran exactly once');
          const applied = await sql<{ name: string }>`select name from w3kit_widgets_migrations order by name`.execute(kits[0].services.db);
          assert.deepEqual(
            applied.rows.map((r) => r.name),
            ['0001_widgets', '0002_widget_names'],
          );
        } finally {
          await Promise.all(kits.map((k) => k.close()));
        }
      });

      it("'check' mode refuses to start with pending migrations and says how to fix it", async () => {
        await assert.rejects(
          createKit({ database: testDb.url, plugins: [plugin('x')], config: { masterKey: MASTER_KEY, mode: 'test', migrations: 'check' } }),
          /pending migrations: core\/0001_rate_limits, core\/0002_one_time_codes, widgets\/0001_widgets, widgets\/0002_widget_names; run `w3kit migrate` first/,
        );
        const handle = createDatabase(testDb.url);
        try {
          await (await kitOn(testDb.url, [plugin('x')])).close();
          const kit = await createKit({ database: handle, plugins: [plugin('x')], config: { masterKey: MASTER_KEY, mode: 'test', migrations: 'check' } });
          await kit.close(); // the kit did not open the handle, so it leaves it open
          assert.equal(await handle.ping(), true);
        } finally {
          await handle.destroy();
        }
      });
    });
  });
}

describe('database matrix', () => {
  it('runs every storage test on SQLite, on MariaDB when MYSQL_URL is set, on PostgreSQL when POSTGRES_URL is set', () => {
    const kinds = testDatabases();
    const wanted = process.env['W3KIT_TEST_DATABASES'] ?? 'sqlite,mariadb,postgres';
    assert.equal(kinds.includes('sqlite'), wanted.includes('sqlite'));
    if (process.env['MYSQL_URL'] && wanted.includes('mariadb')) assert.ok(kinds.includes('mariadb'));
    if (process.env['POSTGRES_URL'] && wanted.includes('postgres')) assert.ok(kinds.includes('postgres'));
  });
});
