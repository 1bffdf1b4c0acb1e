// Identifiers compare exactly in the database, on every engine: a lookup of `Carol`, `carol `
// or `cárol` does not find `carol`, and each is a distinct login id. (Any normalization of
// identifiers is the kit's code's business, before the value reaches the store; the store's
// comparison itself is byte-exact: no case folding, no accent folding, no PAD SPACE.)
import assert from 'node:assert/strict';
import { sql, type Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { authKit } from './support.js';

/** MariaDB's identifier columns are utf8mb4_bin (migration auth/0004_login_identifiers_exact); its default collation folds. */
async function mariadbLoginIdIsBinary(kit: Kit): Promise<boolean> {
  const { rows } = await sql<{
    c: string;
  }>`select collation_name as c from information_schema.columns where table_schema = database() and table_name = 'auth_accounts' and column_name = 'login_id'`.execute(kit.services.db);
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

      // The rule (docs/auth.md, "Identifiers"): identifiers are normalized once (NFKC, case
      // folding; edge whitespace refused) and then compared exactly by the engine. So `CAROL` is
      // carol by the rule, while `cárol`, `carøl` and a differently cased stored key are other
      // names on every engine — MariaDB's default collation would have folded them all into carol.
      it('the store compares exactly: Carol, CAROL, cárol, carøl do not find carol; carol does', async () => {
        const store = kit.services.accountStore;
        assert.equal((await store.findByLoginId('carol'))?.loginId, 'carol');
        for (const variant of ['Carol', 'CAROL', 'cárol', 'carøl', 'çarol']) assert.equal(await store.findByLoginId(variant), null, JSON.stringify(variant));
      });

      it('the directory applies the rule: CAROL and ｃａｒｏｌ are carol, cárol is nobody, an edge space is refused', async () => {
        const directory = kit.services.accountService;
        const carol = await directory.findByLoginId('carol');
        assert.ok(carol);
        assert.equal((await directory.findByLoginId('CAROL'))?.id, carol.id);
        assert.equal((await directory.findByLoginId('ｃａｒｏｌ'))?.id, carol.id);
        assert.equal(await directory.findByLoginId('cárol'), null);
        await assert.rejects(kit.services.accountService.verifyPassword('carol ', 'correct horse battery', '198.51.100.7'), (error: Error & { code?: string; status?: number }) => {
          assert.deepEqual([error.code, error.status], ['VALIDATION_FAILED', 400]);
          return true;
        });
      });

      it('a lookup by email with an accent does not find carol@example.com', async () => {
        const store = kit.services.accountStore;
        assert.equal((await store.findByEmail('carol@example.com'))?.loginId, 'carol');
        for (const variant of ['cárol@example.com', 'carol@exámple.com', 'CAROL@example.com']) assert.equal(await store.findByEmail(variant), null, JSON.stringify(variant));
      });

      it('accented look-alikes are login ids of their own; a case variant is carol (409)', async () => {
        for (const variant of ['cárol', 'carøl']) {
          const account = await kit.services.accountService.createEndUser({ loginId: variant, password: 'correct horse battery' });
          assert.equal((await kit.services.accountService.findByLoginId(variant))?.id, account.id);
        }
        await assert.rejects(kit.services.accountService.createEndUser({ loginId: 'CAROL', password: 'correct horse battery' }), (error: Error & { code?: string }) => error.code === 'ACCOUNT_EXISTS');
        const { rows } = await sql<{ n: number }>`select count(*) as n from auth_accounts where login_id is not null`.execute(kit.services.db);
        assert.equal(Number(rows[0]!.n), 3);
      });
    });
  }
});
