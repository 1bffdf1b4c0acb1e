// PostgreSQL: the SQL texts the kit runs often go as named (prepared) statements, planned once per
// connection; DDL never; a table altered under a kept statement is re-prepared, not a failure.
import assert from 'node:assert/strict';
import { createDatabase, isTransientDbError, retryTransient, sql, type DatabaseHandle } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';

type Tables = {
  pgnamed_items: { id: number; label: string; at: number };
};

describe('postgres named statements (preparedStatements)', () => {
  it('refuses a preparedStatements URL value other than true or false', () => {
    assert.throws(() => createDatabase('postgres://kit:x@127.0.0.1:1/w3kit?preparedStatements=yes'), {
      name: 'TypeError',
      message: 'postgres URL: preparedStatements must be true or false',
    });
  });

  for (const kind of testDatabases().filter((k) => k === 'postgres')) {
    describe(kind, () => {
      let database: TestDatabase;
      const handles: DatabaseHandle[] = [];
      // one connection, so the statements listed are those of the connection that ran the queries
      const open = (setting = '') => {
        const handle = createDatabase(`${database.url}?connectionLimit=1${setting}`);
        handles.push(handle);
        return handle;
      };
      const prepared = async (handle: DatabaseHandle) => (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(handle.db)).rows;
      const byLabel = (handle: DatabaseHandle, label: string) => handle.db.withTables<Tables>().selectFrom('pgnamed_items').selectAll().where('label', '=', label).orderBy('id');

      beforeEach(async () => {
        database = await createTestDatabase(kind);
        const setup = open('&preparedStatements=false');
        await setup.db.schema
          .createTable('pgnamed_items')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('label', 'text')
          .addColumn('at', 'bigint')
          .execute();
        await setup.db
          .withTables<Tables>()
          .insertInto('pgnamed_items')
          .values([
            { id: 1, label: 'a', at: 1767225600123 },
            { id: 2, label: 'b', at: 1767225600124 },
            { id: 3, label: 'a', at: 1767225600125 },
          ])
          .execute();
      });
      afterEach(async () => {
        for (const handle of handles.splice(0)) await handle.destroy();
        await database.drop();
      });

      it('sends a text seen twice as a named statement on the connection, with the same rows as unnamed; a text seen once and DDL are not named', async () => {
        const named = open();
        const plain = open('&preparedStatements=false');
        const query = byLabel(named, 'a');
        const text = query.compile().sql;
        const first = await query.execute();
        assert.deepEqual(await prepared(named), [], 'a text seen once is not prepared');
        const second = await query.execute();
        const third = await byLabel(named, 'b').execute();
        const statements = await prepared(named);
        assert.equal(statements.length, 1);
        assert.equal(statements[0]!.statement, text);
        assert.match(statements[0]!.name, /^w3kit_[\w-]{22}$/);
        assert.deepEqual(first, [
          { id: 1, label: 'a', at: 1767225600123 },
          { id: 3, label: 'a', at: 1767225600125 },
        ]);
        assert.deepEqual(second, first);
        assert.deepEqual(third, [{ id: 2, label: 'b', at: 1767225600124 }]);
        assert.deepEqual(await byLabel(plain, 'a').execute(), first);
        assert.deepEqual(await byLabel(plain, 'a').execute(), first);
        assert.deepEqual(await prepared(plain), [], 'preparedStatements=false names nothing');
        // DDL (a migration) is never named: PostgreSQL takes no bound values in it, and a text
        // without values goes by the simple protocol, as it is
        await named.db.schema.createIndex('pgnamed_items_at').on('pgnamed_items').column('at').execute();
        await named.db.schema.dropIndex('pgnamed_items_at').execute();
        await named.db.schema.createIndex('pgnamed_items_at').on('pgnamed_items').column('at').execute();
        assert.equal((await prepared(named)).length, 1);
      });

      it('a table altered under a kept statement (another instance migrating): the next query re-prepares and answers the new columns, outside a transaction at once, inside one as a transient error retryTransient runs again', async () => {
        const named = open();
        const migrator = open('&preparedStatements=false');
        await byLabel(named, 'a').execute();
        await byLabel(named, 'a').execute();
        assert.equal((await prepared(named)).length, 1);
        await migrator.db.schema
          .alterTable('pgnamed_items')
          .addColumn('note', 'text', (c) => c.defaultTo('n'))
          .execute();
        assert.deepEqual(await byLabel(named, 'a').execute(), [
          { id: 1, label: 'a', at: 1767225600123, note: 'n' },
          { id: 3, label: 'a', at: 1767225600125, note: 'n' },
        ]);

        await migrator.db.schema.alterTable('pgnamed_items').dropColumn('note').execute();
        // in a transaction the failed statement has aborted it: no retry there; the error is a
        // transient one, and the transaction run again whole (retryTransient) prepares the text anew
        const inTransaction = () => named.db.transaction().execute((trx) => trx.withTables<Tables>().selectFrom('pgnamed_items').selectAll().where('label', '=', 'a').orderBy('id').execute());
        const error = await inTransaction().then(
          () => assert.fail('the stale statement answered'),
          (e: unknown) => e,
        );
        assert.equal((error as { code?: string }).code, '0A000');
        assert.equal(isTransientDbError(error), true);
        await migrator.db.schema
          .alterTable('pgnamed_items')
          .addColumn('note', 'text', (c) => c.defaultTo('m'))
          .execute();
        assert.deepEqual(await retryTransient(inTransaction), [
          { id: 1, label: 'a', at: 1767225600123, note: 'm' },
          { id: 3, label: 'a', at: 1767225600125, note: 'm' },
        ]);
      });
    });
  }
});
