// Issue 13: a host that already has a Kysely instance hands it to the kit (createDatabase(db,
// { dialect })); the kit migrates its tables beside the host's and serves on it, and closing the
// kit leaves the host's instance open.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth } from '@w3kit/auth';
import { createDatabase, createKit, createLogger, type Kit } from '@w3kit/core';
import { appFor } from '@w3kit/core/testing';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import request from 'supertest';

interface HostTables {
  host_orders: { id: number; item: string };
}

describe("host Kysely: the kit migrates and serves on a host's own instance (issue 13)", () => {
  let dir: string;
  let hostDb: Kysely<HostTables>;
  let kit: Kit;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-host-kysely-'));
    hostDb = new Kysely<HostTables>({ dialect: new SqliteDialect({ database: new SQLite(join(dir, 'host.db')) }) });
    await hostDb.schema
      .createTable('host_orders')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('item', 'text', (c) => c.notNull())
      .execute();
    await hostDb.insertInto('host_orders').values({ id: 1, item: 'tea' }).execute();
    kit = await createKit({
      database: createDatabase(hostDb, { dialect: 'sqlite' }),
      plugins: [auth()],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: 'ab'.repeat(32), mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com' },
    });
  });
  after(async () => {
    await kit?.close();
    await hostDb?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the kit's tables are created in the host's database, beside the host's own", async () => {
    const tables = (await hostDb.introspection.getTables()).map((t) => t.name);
    assert.ok(tables.includes('host_orders'));
    assert.ok(tables.includes('auth_accounts'), tables.join(', '));
    assert.equal(kit.services.database.dialect, 'sqlite');
    assert.equal(kit.services.database.displayUrl, "sqlite (the host's Kysely instance)");
  });

  it('a password login and my_info are served from it, and the account is a row the host can read', async () => {
    const account = await kit.services.accountService.createEndUser({ loginId: 'ada', email: 'ada@example.com', password: 'correct horse battery' });
    const app = appFor(kit).callback();
    const login = await request(app).post('/v2/auth/auth-user').send({ id: 'ada', password: 'correct horse battery' });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const me = await request(app).get('/rest/v1/account/my_info').set('authorization', `Bearer ${login.body.token}`);
    assert.equal(me.status, 200);
    assert.equal(me.body.result.account_id, account.id);
    const { rows } = await sql<{ n: number }>`select count(*) as n from auth_accounts where id = ${account.id}`.execute(hostDb);
    assert.equal(rows[0]?.n, 1);
  });

  it("closing the kit leaves the host's instance open", async () => {
    const other = await createKit({
      database: createDatabase(hostDb, { dialect: 'sqlite' }),
      plugins: [auth()],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: 'cd'.repeat(32), mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com', migrations: 'check' },
    });
    await other.close();
    assert.deepEqual(await hostDb.selectFrom('host_orders').selectAll().execute(), [{ id: 1, item: 'tea' }]);
  });

  it('a Kysely instance without its dialect is refused with what to pass', () => {
    assert.throws(
      () => createDatabase(hostDb, {} as { dialect: 'sqlite' }),
      (error: unknown) => error instanceof TypeError && error.message === 'createDatabase(kysely, { dialect }): dialect must be one of sqlite, mysql, postgres (the engine behind the Kysely instance)',
    );
  });
});
