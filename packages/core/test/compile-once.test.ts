import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { createOneTimeCodes, type CoreTables, type Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { compileOnce } from '../src/database/compile-once.js';
import { coreKit } from './support.js';

/** Counts Kysely's query transformations (one per query built and compiled) and the results that come back. */
function buildCounter(): { plugin: KyselyPlugin; counts: { built: number; results: number } } {
  const counts = { built: 0, results: 0 };
  const plugin: KyselyPlugin = {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      counts.built++;
      return node;
    },
    transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      counts.results++;
      return Promise.resolve(result);
    },
  };
  return { plugin, counts };
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('core compileOnce: a query built and compiled once, run with each call’s values', () => {
      let db: TestDatabase;
      let kit: Kit;

      beforeEach(async () => {
        db = await createTestDatabase(kind);
        kit = await coreKit(db.url, createManualClock(Date.UTC(2026, 0, 1, 12, 0, 0)));
      });
      afterEach(async () => {
        await kit.close();
        await db.drop();
      });

      const tables = () => kit.services.database.db.withTables<CoreTables>();

      it('compiles to the SQL Kysely builds with the values, binds a slot used twice in both places, and answers each run with its own rows', async () => {
        const codes = kit.services.oneTimeCodes;
        const first = await codes.issue({ purpose: 'test.once', subject: 'a', ttlSeconds: 60 });
        const second = await codes.issue({ purpose: 'test.once', subject: 'b', ttlSeconds: 600 });
        const built = (id: string, at: number) =>
          tables()
            .selectFrom('w3kit_one_time_codes')
            .select(['id', 'expires_at'])
            .where('id', '=', id)
            .where((eb) => eb.or([eb('expires_at', '>', at), eb('created_at', '>', at)]));
        const compiled = compileOnce<'id' | 'at', { id: string; expires_at: number }>((slot) => built(slot('id'), slot<number>('at')));
        const now = Date.UTC(2026, 0, 1, 12, 0, 0);
        const once = compiled({ id: first.handle, at: now });
        assert.equal(once.sql, built(first.handle, now).compile().sql);
        assert.deepEqual(once.parameters, built(first.handle, now).compile().parameters);
        const rows = async (id: string, at: number) => (await tables().executeQuery(compiled({ id, at }))).rows.map((row) => [row.id, Number(row.expires_at)]);
        assert.deepEqual(await rows(first.handle, now), [[first.handle, first.expiresAt.getTime()]]);
        assert.deepEqual(await rows(second.handle, now), [[second.handle, second.expiresAt.getTime()]]);
        // both comparisons take the later time: the first code's 60 s are over, the second's 600 s are not
        assert.deepEqual(await rows(first.handle, now + 120_000), []);
        assert.deepEqual(await rows(second.handle, now + 120_000), [[second.handle, second.expiresAt.getTime()]]);
      });

      it('refuses, when first run, a slot that Kysely would splice into the SQL instead of binding it', () => {
        const spliced = compileOnce<'column', unknown>((slot) =>
          tables()
            .selectFrom('w3kit_one_time_codes')
            .select(sql.ref(slot<string>('column')).as('x')),
        );
        assert.throws(() => spliced({ column: 'id' }), /^TypeError: compileOnce: slot\(s\) column are not bound parameters of the compiled query$/);
      });

      it('a one-time code’s try is built and compiled once: later tries, right, wrong, by subject, handle or secret, build no query', async () => {
        const { database, encryption, random } = kit.services;
        const { plugin, counts: counter } = buildCounter();
        const clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
        const codes = createOneTimeCodes({ database: { ...database, db: database.db.withPlugin(plugin) }, clock, random, encryption });
        const issue = (subject: string) => codes.issue({ purpose: 'test.once', subject, ttlSeconds: 600, shape: { kind: 'token', bytes: 16 } });
        const wrong = 'not-the-secret';
        // first tries of each kind, wrong, right and once more: these build and compile the statements
        for (const locate of ['subject', 'handle', 'secret'] as const) {
          const issued = await issue(`warm-${locate}`);
          const locator = locate === 'subject' ? { subject: `warm-${locate}` } : locate === 'handle' ? { handle: issued.handle } : { bySecret: true as const };
          for (const [secret, ok] of [
            [wrong, false],
            [issued.secret, true],
            [issued.secret, false],
          ] as const) {
            assert.equal((await codes.consume('test.once', locator, secret)).ok, ok, `${locate} ${secret}`);
          }
        }
        const issued = await Promise.all(['x', 'y', 'z'].map(issue));
        counter.built = 0;
        counter.results = 0;
        assert.deepEqual(await codes.consume('test.once', { subject: 'x' }, wrong), { ok: false, reason: 'invalid', attemptsLeft: 4 });
        assert.deepEqual(await codes.consume('test.once', { subject: 'x' }, issued[0]!.secret), { ok: true, handle: issued[0]!.handle, data: null });
        assert.deepEqual(await codes.consume('test.once', { handle: issued[1]!.handle }, issued[1]!.secret), { ok: true, handle: issued[1]!.handle, data: null });
        assert.deepEqual(await codes.consume('test.once', { bySecret: true }, issued[2]!.secret), { ok: true, handle: issued[2]!.handle, data: null });
        // the used code's refusal (a read after the UPDATE that found nothing) is compiled once too
        assert.deepEqual(await codes.consume('test.once', { subject: 'x' }, issued[0]!.secret), { ok: false, reason: 'consumed', attemptsLeft: 3 });
        assert.equal(counter.built, 0, 'no query was built or compiled again');
        assert.ok(counter.results >= 5, 'the statements ran (one result each at least)');
      });
    });
  });
}

describe('core one-time codes on SQLite: every try runs the same SQL text, so its compiled statement is kept', () => {
  let db: TestDatabase;
  let kit: Kit;
  let clock: ReturnType<typeof createManualClock>;
  const prepare = SQLite.prototype.prepare;
  const prepared: string[] = [];

  before(() => {
    // seen below the kit's statement cache, which binds `prepare` when the database opens
    SQLite.prototype.prepare = function (this: SQLite.Database, source: string) {
      prepared.push(source);
      return prepare.call(this, source);
    } as typeof prepare;
  });
  after(() => {
    SQLite.prototype.prepare = prepare;
  });
  beforeEach(async () => {
    db = await createTestDatabase('sqlite');
    clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    kit = await coreKit(db.url, clock);
  });
  afterEach(async () => {
    await kit.close();
    await db.drop();
  });

  it('tries at other times and with other secrets compile no new statement (no value is spliced into the SQL)', async () => {
    const codes = kit.services.oneTimeCodes;
    const tryOnce = async (subject: string) => {
      const issued = await codes.issue({ purpose: 'test.sql', subject, ttlSeconds: 600 });
      clock.advance(1);
      assert.equal((await codes.consume('test.sql', { subject }, issued.secret === '000000' ? '111111' : '000000')).ok, false);
      clock.advance(1);
      assert.equal((await codes.consume('test.sql', { subject }, issued.secret)).ok, true);
    };
    await tryOnce('warm-up');
    prepared.length = 0;
    for (const subject of ['a', 'b', 'c']) await tryOnce(subject);
    assert.deepEqual(prepared, []);
  });
});
