import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createDatabase, isKitError, migrateToLatest, sql, type DatabaseHandle, type Kit } from '@w3kit/core';
import { appFor, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { authKit } from './support.js';

const PASSWORD = 'correct horse battery';
let counter = 0;
/** A fresh lower-case ASCII login id, so each test has budgets of its own. */
const freshId = (base: string) => `${base}${Date.now().toString(36)}${(counter++).toString(36)}`;
/** The full-width form of an ASCII string (`carol` → `ｃａｒｏｌ`): NFKC maps it back. */
const fullWidth = (ascii: string) => [...ascii].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
/** Replaces the first `o` with another letter a person might read as it (`ó`, `ø`). */
const lookAlike = (id: string, letter: string) => id.replace('o', letter);

for (const kind of testDatabases()) {
  describe(`auth identifiers: normalized login ids and emails, exact lookups (${kind})`, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: ReturnType<typeof appFor>;
    const login = (id: string, password = PASSWORD) => request(app.callback()).post('/v2/auth/auth-user').send({ id, password });

    before(async () => {
      db = await createTestDatabase(kind);
      // every request here comes from one address: the per-IP budget is not what these tests count
      kit = await authKit(db.url, {}, { config: { rateLimits: { 'auth.login.ip': { limit: 1000, windowSeconds: 60 } } } });
      app = appFor(kit);
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const carol = async () => {
      const id = freshId('carol');
      await kit.services.accountService.createEndUser({ loginId: id, email: `${id}@example.com`, password: PASSWORD });
      return id;
    };

    it('CAROL and ｃａｒｏｌ are carol; cárol and carøl are other names and never log in as her', async () => {
      const id = await carol();
      for (const variant of [id.toUpperCase(), fullWidth(id)]) {
        const res = await login(variant);
        assert.equal(res.status, 200, variant);
        assert.equal(res.body.userId, id);
      }
      for (const variant of [lookAlike(id, 'ó'), lookAlike(id, 'ø')]) {
        const res = await login(variant);
        assert.deepEqual([res.status, res.body.code], [401, 'INVALID_CREDENTIALS'], variant);
        assert.equal(res.body.token, undefined);
      }
    });

    it('the right password as "carol    " is refused with 400, not trimmed (Finenex body)', async () => {
      const id = await carol();
      for (const variant of [`${id}    `, ` ${id}`, `${id}\u3000`, `${id}\u200b`]) {
        const res = await login(variant);
        assert.equal(res.status, 400, JSON.stringify(variant));
        assert.equal(res.body.token, undefined);
        assert.equal(res.body.code, 'VALIDATION_FAILED');
        assert.equal(res.body.path, '/v2/auth/auth-user');
      }
      const padded = await login(`${id}    `);
      assert.deepEqual(padded.body, {
        status: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: 'id must not begin or end with whitespace.',
        path: '/v2/auth/auth-user',
        issues: ['id: must not begin or end with whitespace.'],
      });
    });

    it('spellings of carol share her one budget of 10 tries; look-alikes cannot spend it', async () => {
      const id = await carol();
      const spellings = [id, id.toUpperCase(), `${id[0]!.toUpperCase()}${id.slice(1)}`, fullWidth(id)];
      for (let i = 0; i < 10; i++) assert.equal((await login(spellings[i % spellings.length]!, 'wrong')).status, 401);
      for (const spelling of spellings) {
        const limited = await login(spelling);
        assert.equal(limited.status, 429, spelling);
        assert.equal(limited.body.code, 'RATE_LIMITED');
        assert.ok(Number(limited.headers['retry-after']) > 0);
      }
      // a look-alike has a budget of its own, but it is the budget of a name that is not carol's
      const other = await login(lookAlike(id, 'ó'));
      assert.deepEqual([other.status, other.body.code], [401, 'INVALID_CREDENTIALS']);
    });

    it('a login by id and by email of one account share one budget', async () => {
      const id = await carol();
      for (let i = 0; i < 5; i++) assert.equal((await login(id, 'wrong')).status, 401);
      for (let i = 0; i < 5; i++) assert.equal((await login(`${id.toUpperCase()}@EXAMPLE.COM`, 'wrong')).status, 401);
      const byId = await login(id);
      assert.deepEqual([byId.status, byId.body.code], [429, 'RATE_LIMITED']);
      const byEmail = await login(`${id}@example.com`);
      assert.deepEqual([byEmail.status, byEmail.body.code], [429, 'RATE_LIMITED']);
    });

    it('keeps a login id as given and finds it by its normalized form; stores emails normalized; both unique exactly', async () => {
      const id = freshId('dora');
      const given = `${fullWidth(id.slice(0, 2).toUpperCase())}${id.slice(2)}`;
      const account = await kit.services.accountService.createEndUser({ loginId: given, email: `${id.toUpperCase()}@Example.COM`, password: PASSWORD });
      assert.equal(account.loginId, given);
      assert.equal(account.email, `${id}@example.com`);
      const res = await login(id);
      assert.deepEqual([res.status, res.body.userId], [200, given], 'userId shows the login id as created');
      await assert.rejects(kit.services.accountService.createEndUser({ loginId: id.toUpperCase(), password: PASSWORD }), (e) => isKitError(e) && e.code === 'ACCOUNT_EXISTS');
      // an accented name is another name (utf8mb4_unicode_ci called it a duplicate)
      const accented = await kit.services.accountService.createEndUser({ loginId: lookAlike(id, 'ä'), email: `${lookAlike(id, 'ä')}@example.com`, password: PASSWORD });
      assert.notEqual(accented.id, account.id);
      assert.equal((await kit.services.accountService.findByLoginId(id.toUpperCase()))?.id, account.id);
      assert.equal((await kit.services.accountService.findByLoginId(lookAlike(id, 'ä')))?.id, accented.id);
      assert.equal(await kit.services.accountService.findByLoginId(`${id} `), null);
      await assert.rejects(
        kit.services.accountService.createEndUser({ loginId: `${freshId('erin')} `, password: PASSWORD }),
        (e) => isKitError(e) && e.status === 400 && e.code === 'VALIDATION_FAILED' && e.message === 'loginId must not begin or end with whitespace.',
      );
    });
  });

  describe(`auth identifiers: migration 0004 reports colliding rows instead of merging them (${kind})`, () => {
    let db: TestDatabase;
    let database: DatabaseHandle;
    const migrations = auth().migrations;
    const owner = { name: 'auth', migrations };

    before(async () => {
      db = await createTestDatabase(kind);
      database = createDatabase(db.url);
      // the schema before this change
      await migrateToLatest(database, { name: 'auth', migrations: { '0001_accounts': migrations['0001_accounts']! } });
    });
    after(async () => {
      await database.destroy();
      await db.drop();
    });

    const insert = async (id: string, fields: { login_id?: string; email?: string }) =>
      sql`insert into auth_accounts (id, account_type, login_id, email, created_at, updated_at) values (${id}, 'end_user', ${fields.login_id ?? null}, ${fields.email ?? null}, 0, 0)`.execute(
        database.db,
      );
    const column = async (id: string, name: 'login_id' | 'login_key' | 'email') =>
      (await sql<{ value: string | null }>`select ${sql.ref(name)} as value from auth_accounts where id = ${id}`.execute(database.db)).rows[0]?.value;

    it('fails naming every collision and unnormalizable value, changes nothing; migrates once they are resolved', async () => {
      // Distinct under both old schemas (SQLite's binary, MariaDB's unicode_ci, which weighs
      // mathematical letters as U+FFFD), one identifier after NFKC.
      await insert('acct-math-carol', { login_id: '𝐜𝐚𝐫𝐨𝐥' });
      await insert('acct-carol', { login_id: 'carol' });
      await insert('acct-math-ada', { email: '𝐚𝐝𝐚@x.io' });
      await insert('acct-ada', { email: 'ada@x.io' });
      await insert('acct-dave-space', { login_id: 'dave ' });
      await insert('acct-erin', { login_id: 'Erin', email: 'Erin@X.io' });
      if (kind === 'sqlite') {
        await insert('acct-gus-upper', { login_id: 'GUS' });
        await insert('acct-gus', { login_id: 'gus' });
      }

      const failure = await migrateToLatest(database, owner).then(
        () => assert.fail('the migration ran over colliding rows'),
        (error: Error) => error,
      );
      assert.match(failure.message, /0004_login_identifiers_exact/);
      assert.match(failure.message, /login_id "carol" would be shared by accounts acct-carol \("carol"\), acct-math-carol \("𝐜𝐚𝐫𝐨𝐥"\)/);
      assert.match(failure.message, /email "ada@x\.io" would be shared by accounts acct-ada \("ada@x\.io"\), acct-math-ada \("𝐚𝐝𝐚@x\.io"\)/);
      assert.match(failure.message, /account acct-dave-space: login_id "dave " must not begin or end with whitespace\./);
      if (kind === 'sqlite') assert.match(failure.message, /login_id "gus" would be shared by accounts acct-gus \("gus"\), acct-gus-upper \("GUS"\)/);
      assert.doesNotMatch(failure.message, /acct-erin/);
      assert.equal(await column('acct-erin', 'login_id'), 'Erin', 'nothing changed');
      assert.equal(await column('acct-math-carol', 'login_id'), '𝐜𝐚𝐫𝐨𝐥');

      // the operator resolves them by hand
      await sql`delete from auth_accounts where id in ('acct-math-carol', 'acct-math-ada', 'acct-dave-space', 'acct-gus-upper')`.execute(database.db);
      const applied = await migrateToLatest(database, owner);
      assert.ok(applied.includes('0004_login_identifiers_exact'));
      assert.equal(await column('acct-erin', 'login_id'), 'Erin', 'a login id stays as created');
      assert.equal(await column('acct-erin', 'login_key'), 'erin');
      assert.equal(await column('acct-carol', 'login_key'), 'carol');
      assert.equal(await column('acct-erin', 'email'), 'erin@x.io');
      // exact comparison from now on: an accented carol is another account
      await sql`insert into auth_accounts (id, account_type, login_id, login_key, created_at, updated_at) values ('acct-carol-accented', 'end_user', 'cárol', 'cárol', 0, 0)`.execute(database.db);
      assert.equal((await sql<{ id: string }>`select id from auth_accounts where login_key = ${'carol'}`.execute(database.db)).rows.length, 1);
      await assert.rejects(
        sql`insert into auth_accounts (id, account_type, login_id, login_key, created_at, updated_at) values ('acct-carol-2', 'end_user', 'CAROL', 'carol', 0, 0)`.execute(database.db),
        'login_key is unique',
      );
      if (kind === 'mariadb') {
        const { rows } = await sql<{ name: string; collation: string }>`select column_name as name, collation_name as collation from information_schema.columns
          where table_schema = database() and table_name = 'auth_accounts' and column_name in ('login_id', 'login_key', 'email', 'wallet_address') order by column_name`.execute(database.db);
        assert.deepEqual(
          rows.map((r) => [r.name, r.collation]),
          [
            ['email', 'utf8mb4_bin'],
            ['login_id', 'utf8mb4_bin'],
            ['login_key', 'utf8mb4_bin'],
            ['wallet_address', 'utf8mb4_bin'],
          ],
        );
      }
    });
  });
}
