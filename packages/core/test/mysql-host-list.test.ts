import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createDatabase } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { sql } from 'kysely';

/** A loopback port nothing listens on (connections are refused). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('mysql host list URL (Galera failover)', () => {
  it('refuses a malformed host list or setting with a TypeError that hides the password', () => {
    assert.throws(
      () => createDatabase('mysql://u:secret@h1:3306,/db'),
      (e: Error) => e instanceof TypeError && /empty host/.test(e.message) && !e.message.includes('secret'),
    );
    assert.throws(
      () => createDatabase('mysql://u:secret@h1:3306,h2:3306/db?hostRetryMs=0'),
      (e: Error) => e instanceof TypeError && e.message === 'mysql URL: hostRetryMs must be a positive integer',
    );
    assert.throws(
      () => createDatabase('mysql://u:secret@h1/db?statementAttempts=x'),
      (e: Error) => e instanceof TypeError && e.message === 'mysql URL: statementAttempts must be a positive integer',
    );
  });

  it('keeps the password out of the display URL of a host list', async () => {
    const handle = createDatabase('mysql://w3kit:s3cr%40t:x@127.0.0.1:1,127.0.0.1:2/db');
    assert.equal(handle.displayUrl, 'mysql://w3kit:***@127.0.0.1:1,127.0.0.1:2/db');
    await handle.destroy();
  });

  for (const kind of testDatabases().filter((k) => k === 'mariadb')) {
    describe(kind, () => {
      let testDb: TestDatabase;
      before(async () => {
        testDb = await createTestDatabase(kind);
      });
      after(() => testDb.drop());

      it('a host that refuses connections is skipped for the next one, at once and without an error', async () => {
        const real = new URL(testDb.url);
        const url = `mysql://${real.username}:${real.password}@127.0.0.1:${await deadPort()},${real.host}${real.pathname}?hostRetryMs=60000`;
        const handle = createDatabase(url);
        try {
          const started = Date.now();
          const rows = await sql<{ n: number }>`select 1 as n`.execute(handle.db);
          assert.deepEqual(rows.rows, [{ n: 1 }]);
          assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
          assert.equal(handle.counters?.failovers, 1);
          // the dead host is skipped from now on: no second failover for the next queries
          for (let i = 0; i < 5; i++) await sql`select 1`.execute(handle.db);
          assert.equal(handle.counters?.failovers, 1);
        } finally {
          await handle.destroy();
        }
      });

      it('with every host down, a query fails with a database-unavailable error (answered 503), not a hang', async () => {
        const handle = createDatabase(`mysql://u:p@127.0.0.1:${await deadPort()},127.0.0.1:${await deadPort()}/db`);
        try {
          const started = Date.now();
          await assert.rejects(sql`select 1`.execute(handle.db), (e: { code?: string }) => e.code === 'ECONNREFUSED');
          assert.ok(Date.now() - started < 3000);
          assert.equal(handle.counters?.failovers, 2);
        } finally {
          await handle.destroy();
        }
      });
    });
  }
});
