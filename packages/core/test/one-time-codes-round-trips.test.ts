import assert from 'node:assert/strict';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { createOneTimeCodes, type Kit, type OneTimeCodes } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { coreKit } from './support.js';

/**
 * The statements sent to the database, in order. A plugin also sees the subqueries it is built
 * into (transformQuery), so a statement is counted when its result comes back (transformResult,
 * once per executed statement) by the kind its query id was first seen with.
 */
function statementCounter(): KyselyPlugin & { kinds: string[] } {
  const kinds: string[] = [];
  const seen = new Map<unknown, string>();
  return {
    kinds,
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      if (!seen.has(queryId)) seen.set(queryId, node.kind.replace(/QueryNode$/, '').toLowerCase());
      return node;
    },
    transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      kinds.push(seen.get(queryId) ?? 'unknown');
      return Promise.resolve(result);
    },
  };
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('core one-time codes round trips: a try is one statement where the engine allows', () => {
      let db: TestDatabase;
      let kit: Kit;
      let counter: ReturnType<typeof statementCounter>;
      let codes: OneTimeCodes;
      let clock: ReturnType<typeof createManualClock>;

      beforeEach(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
        kit = await coreKit(db.url, clock);
        counter = statementCounter();
        const { database, encryption, random } = kit.services;
        codes = createOneTimeCodes({ database: { ...database, db: database.db.withPlugin(counter) }, clock, random, encryption });
      });
      afterEach(async () => {
        await kit.close();
        await db.drop();
      });

      // SQLite and PostgreSQL: UPDATE … RETURNING; MySQL/MariaDB have no UPDATE … RETURNING, so the row is read first
      const expected = kind === 'mariadb' ? ['select', 'update'] : ['update'];

      it('a right code: the attempt slot and the claim in one conditional UPDATE, and the data comes back', async () => {
        const issued = await codes.issue({ purpose: 'test.trip', subject: '+15555550100', ttlSeconds: 600, data: { n: 1 } });
        counter.kinds.length = 0;
        assert.deepEqual(await codes.consume('test.trip', { subject: '+15555550100' }, issued.secret), { ok: true, handle: issued.handle, data: { n: 1 } });
        assert.deepEqual(counter.kinds, expected);
        // used up: the second try updates nothing and reads why
        assert.deepEqual(await codes.consume('test.trip', { subject: '+15555550100' }, issued.secret), { ok: false, reason: 'consumed', attemptsLeft: 4 });
      });

      it('a wrong code takes its slot in the same single statement and says how many tries are left', async () => {
        const issued = await codes.issue({ purpose: 'test.trip', subject: 'a@example.com', ttlSeconds: 600 });
        const wrong = issued.secret === '000000' ? '111111' : '000000';
        counter.kinds.length = 0;
        assert.deepEqual(await codes.consume('test.trip', { subject: 'a@example.com' }, wrong), { ok: false, reason: 'invalid', attemptsLeft: 4 });
        assert.deepEqual(counter.kinds, expected);
        assert.deepEqual(await codes.consume('test.trip', { handle: issued.handle }, issued.secret), { ok: true, handle: issued.handle, data: null });
      });

      it('two right answers at once on one code: exactly one wins, the other is told it is consumed', async () => {
        const issued = await codes.issue({ purpose: 'test.trip', subject: 's', ttlSeconds: 600 });
        const results = await Promise.all([1, 2, 3].map(() => codes.consume('test.trip', { subject: 's' }, issued.secret)));
        assert.equal(results.filter((r) => r.ok).length, 1);
        assert.ok(results.every((r) => r.ok || r.reason === 'consumed'));
      });

      it('only the newest code of a subject is tried, as before', async () => {
        const older = await codes.issue({ purpose: 'test.trip', subject: 'n', ttlSeconds: 600 });
        clock.advance(1000); // a later created_at
        const newer = await codes.issue({ purpose: 'test.trip', subject: 'n', ttlSeconds: 600 });
        if (older.secret !== newer.secret) {
          assert.deepEqual(await codes.consume('test.trip', { subject: 'n' }, older.secret), { ok: false, reason: 'invalid', attemptsLeft: 4 });
        }
        assert.equal((await codes.consume('test.trip', { subject: 'n' }, newer.secret)).ok, true);
      });
    });
  });
}
