import { isMysql, normalizeIdentifier, sql, type Kysely, type Migration, type MigrationSet } from '@w3kit/core';

/** Table types of the auth plugin (a type alias, for `db.withTables<AuthTables>()`). */
export type AuthTables = {
  auth_accounts: {
    id: string;
    account_type: string;
    role: string | null;
    /** As the account was created. */
    login_id: string | null;
    /** normalizeIdentifier(login_id): what logins look up (unique, binary). */
    login_key: string | null;
    /** Normalized. */
    email: string | null;
    email_verified: number;
    password_hash: string | null;
    name: string | null;
    phone_number: string | null;
    phone_verified: number;
    image_url: string | null;
    /** Other OIDC standard claims (given_name, locale, …) as a JSON object. */
    claims: string | null;
    domain: string | null;
    domain_verified: number;
    domain_txt_token: string | null;
    wallet_address: string | null;
    wallet_public_key: string | null;
    wallet_private_key: string | null;
    wallet_created_at: number | null;
    created_at: number;
    updated_at: number;
  };
  auth_api_keys: { id: string; account_id: string; secret_hash: string; created_at: number; revoked_at: number | null };
  auth_signing_keys: {
    kid: string;
    alg: string;
    public_jwk: string;
    private_jwk: string;
    created_at: number;
    rotated_at: number | null;
    retired_at: number | null;
  };
  auth_associations: {
    organization_id: string;
    end_user_id: string;
    created_at: number;
    /** How it came about: `association_page` (the end user confirmed), `import` (the organization imported the email), `unknown` (recorded before this was kept). */
    via: string;
  };
  auth_sessions: {
    id: string;
    account_id: string;
    /** The API key secret the session was opened with (organization tokens), else null. */
    api_key_id: string | null;
    created_at: number;
    /** The absolute end of the session: no token of it is valid later, however often extended. */
    expires_at: number;
    revoked_at: number | null;
  };
};

export const authMigrations: MigrationSet = {
  '0001_accounts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('auth_accounts')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('account_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)')
        .addColumn('login_id', 'varchar(191)', (c) => c.unique())
        .addColumn('email', 'varchar(191)', (c) => c.unique())
        .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('password_hash', 'varchar(255)')
        .addColumn('name', 'varchar(191)')
        .addColumn('phone_number', 'varchar(32)')
        .addColumn('phone_verified', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('image_url', 'varchar(1024)')
        .addColumn('claims', 'text')
        .addColumn('domain', 'varchar(253)')
        .addColumn('domain_verified', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('domain_txt_token', 'varchar(64)')
        .addColumn('wallet_address', 'varchar(42)', (c) => c.unique())
        .addColumn('wallet_public_key', 'varchar(132)')
        .addColumn('wallet_private_key', 'text')
        .addColumn('wallet_created_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('auth_api_keys')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('auth_accounts.id').onDelete('cascade'))
        .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('auth_api_keys_account').on('auth_api_keys').column('account_id').execute();
      await db.schema
        .createTable('auth_signing_keys')
        .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('alg', 'varchar(16)', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('rotated_at', 'bigint')
        .addColumn('retired_at', 'bigint')
        .execute();
      await db.schema
        .createTable('auth_associations')
        .addColumn('organization_id', 'varchar(36)', (c) => c.notNull().references('auth_accounts.id').onDelete('cascade'))
        .addColumn('end_user_id', 'varchar(36)', (c) => c.notNull().references('auth_accounts.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('auth_associations_pk', ['organization_id', 'end_user_id'])
        .execute();
    },
  } satisfies Migration,
  '0002_sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('auth_accounts.id').onDelete('cascade'))
        .addColumn('api_key_id', 'varchar(36)', (c) => c.references('auth_api_keys.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('auth_sessions_account').on('auth_sessions').column('account_id').execute();
      await db.schema.createIndex('auth_sessions_api_key').on('auth_sessions').column('api_key_id').execute();
      await db.schema.createIndex('auth_sessions_expires').on('auth_sessions').column('expires_at').execute();
    },
  } satisfies Migration,
  // Item 8 of the security review: an end user sees which organizations they are associated
  // with and how (their confirmation on the page, or an organization's import of their email).
  '0003_association_via': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('auth_associations')
        .addColumn('via', 'varchar(16)', (c) => c.notNull().defaultTo('unknown'))
        .execute();
      // The end user's list reads by end_user_id; the primary key starts with organization_id.
      await db.schema.createIndex('auth_associations_end_user').on('auth_associations').columns(['end_user_id', 'created_at']).execute();
    },
  } satisfies Migration,
  '0004_login_identifiers_exact': {
    // Logins look accounts up by normalized identifiers (normalizeIdentifier: NFKC and case
    // folding), compared exactly: a login id gets a normalized `login_key` beside it (the login id
    // itself stays as created, for display), emails are stored normalized. Under MariaDB's
    // utf8mb4_unicode_ci `cárol`, `carøl` and `carol ` (PAD SPACE) all found `carol`. Rows that
    // would share an identifier are reported, never merged: the migration fails before changing
    // anything, naming them.
    async up(db: Kysely<unknown>) {
      const accounts = db.withTables<Pick<AuthTables, 'auth_accounts'>>();
      const rows = await accounts.selectFrom('auth_accounts').select(['id', 'login_id', 'email']).orderBy('id').execute();
      const problems: string[] = [];
      const updates: { id: string; column: 'login_key' | 'email'; value: string }[] = [];
      for (const column of ['login_id', 'email'] as const) {
        const owners = new Map<string, { id: string; value: string }[]>();
        for (const row of rows) {
          const value = row[column];
          if (value === null) continue;
          const check = normalizeIdentifier(value);
          if (!check.ok) {
            problems.push(`account ${row.id}: ${column} ${JSON.stringify(value)} ${check.problem}`);
            continue;
          }
          owners.set(check.identifier, [...(owners.get(check.identifier) ?? []), { id: row.id, value }]);
          if (column === 'login_id') updates.push({ id: row.id, column: 'login_key', value: check.identifier });
          else if (check.identifier !== value) updates.push({ id: row.id, column, value: check.identifier });
        }
        for (const [identifier, same] of owners) {
          if (same.length < 2) continue;
          problems.push(`${column} ${JSON.stringify(identifier)} would be shared by accounts ${same.map((o) => `${o.id} (${JSON.stringify(o.value)})`).join(', ')}`);
        }
      }
      if (problems.length > 0) {
        throw new Error(
          `${problems.length} login id(s) or email(s) of auth_accounts cannot be stored normalized (NFKC, case folding; see docs/auth.md, "Identifiers"). ` +
            `Nothing was changed: rename, merge or delete these accounts by hand, then migrate again:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
      const mysql = isMysql(db);
      await db.schema
        .alterTable('auth_accounts')
        .addColumn('login_key', 'varchar(191)', (c) => (mysql ? c.modifyEnd(sql`character set utf8mb4 collate utf8mb4_bin`) : c))
        .execute();
      if (mysql) {
        // Binary before the updates: distinct under the old collation is distinct under this
        // finer one, and a normalized email may equal another row's old one under the old one
        // (`𝐚𝐝𝐚@x.io` → `ada@x.io` beside `ádá@x.io`). The login id's own unique index stays, binary.
        await sql`alter table auth_accounts
          modify login_id varchar(191) character set utf8mb4 collate utf8mb4_bin null,
          modify email varchar(191) character set utf8mb4 collate utf8mb4_bin null,
          modify wallet_address varchar(42) character set utf8mb4 collate utf8mb4_bin null`.execute(db);
      }
      for (const { id, column, value } of updates) {
        await accounts
          .updateTable('auth_accounts')
          .set({ [column]: value })
          .where('id', '=', id)
          .execute();
      }
      await db.schema.createIndex('auth_accounts_login_key').on('auth_accounts').column('login_key').unique().execute();
    },
  } satisfies Migration,
};
