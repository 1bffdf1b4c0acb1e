// Identifiers compare exactly in the database, on every engine: a lookup of `Carol`, `carol `
// or `cárol` does not find `carol`, and each is a distinct login id. (Any normalization of
// identifiers is the kit's code's business, before the value reaches the store; the store's
// comparison itself is byte-exact: no case folding, no accent folding, no PAD SPACE.)
import assert from 'node:assert/strict';
import { sql, type Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { authKit } from './support.js';

const VARIANTS = ['Carol', 'carol ', 'cárol', 'CAROL', ' carol'];

/** MariaDB's identifier columns are utf8mb4_bin (migration auth/0004_login_identifiers_exact); its default collation folds. */
async function mariadbLoginIdIsBinary(kit: Kit): Promise<boolean> {
  const { rows } = await sql<{ c: string }>`select collation_name as c from information_schema.columns where table_schema = database() and table_name = 'auth_accounts' and column_name = 'login_id'`.execute(kit.services.db);
  return /_bin$/.test(rows[0]?.c ?? '');
}

describe('identifiers compare exactly on every engine (collation)', () => {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      before(async function () {
        db = await createTestDatabase(kind);
        kit = await authKit(db.url);
        if (kind === 'mariadb') assert.equal(await mariadbLoginIdIsBinary(kit), true, 'login_id compares as bytes on MariaDB');
        await kit.services.accountService.createEndUser({ loginId: 'carol', email: 'carol@example.com', password: 'correct horse battery' });
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
      });

      it('a lookup by login id of Carol / carol␠ / cárol / CAROL / ␠carol does not find carol; carol does', async () => {
        const store = kit.services.accountStore;
        assert.equal((await store.findByLoginId('carol'))?.loginId, 'carol');
        for (const variant of VARIANTS) assert.equal(await store.findByLoginId(variant), null, JSON.stringify(variant));
      });

      it('a lookup by email with a trailing space or an accent does not find carol@example.com', async () => {
        const store = kit.services.accountStore;
        assert.equal((await store.findByEmail('carol@example.com'))?.loginId, 'carol');
        for (const variant of ['carol@example.com ', 'cárol@example.com', 'carol@exámple.com']) assert.equal(await store.findByEmail(variant), null, JSON.stringify(variant));
      });

      it('each variant is a login id of its own: the unique index does not fold them into carol', async () => {
        for (const variant of VARIANTS) {
          const account = await kit.services.accountService.createEndUser({ loginId: variant, password: 'correct horse battery' });
          assert.equal((await kit.services.accountStore.findByLoginId(variant))?.id, account.id);
        }
        const { rows } = await sql<{ n: number }>`select count(*) as n from auth_accounts where login_id is not null`.execute(kit.services.db);
        assert.equal(Number(rows[0]!.n), VARIANTS.length + 1);
      });
    });
  }
});
