// DATABASE_URL=postgres://… and postgresql://… select PostgreSQL; BIGINT comes back as a number.
import assert from 'node:assert/strict';
import { createDatabase, sql } from '@w3kit/core';
import { createTestDatabase, testDatabases } from '@w3kit/core/testing';

describe('postgres URL: postgres:// and postgresql:// open PostgreSQL', () => {
  it('both schemes give the postgres dialect, with the password kept out of the display URL', async () => {
    for (const url of ['postgres://kit:s3cret@db.example:5433/w3kit', 'postgresql://kit:s3cret@db.example/w3kit?connectionLimit=4']) {
      const handle = createDatabase(url);
      try {
        assert.equal(handle.dialect, 'postgres');
        assert.equal(handle.displayUrl, url.replace('s3cret', '***'));
      } finally {
        await handle.destroy();
      }
    }
  });

  for (const kind of testDatabases().filter((k) => k === 'postgres')) {
    describe(kind, () => {
      it('answers ping, reads BIGINT (epoch ms) and count(*) as numbers, and a server that is not there as ping false', async () => {
        const db = await createTestDatabase(kind);
        const handle = createDatabase(db.url.replace(/^postgres:/, 'postgresql:'));
        try {
          assert.equal(await handle.ping(), true);
          const { rows } = await sql<{ at: unknown; n: unknown }>`select cast(1767225600123 as bigint) as at, count(*) as n from (values (1), (2)) as v(x)`.execute(handle.db);
          assert.deepEqual(rows[0], { at: 1767225600123, n: 2 });
        } finally {
          await handle.destroy();
          await db.drop();
        }
        const nowhere = createDatabase('postgres://kit:x@127.0.0.1:1/none');
        try {
          assert.equal(await nowhere.ping(), false);
        } finally {
          await nowhere.destroy();
        }
      });
    });
  }
});
