import { isMysql, sql, type Kysely, type Migration, type MigrationSet } from '@w3kit/core';

/** Table types of the oidc plugin (a type alias, for `db.withTables<OidcTables>()`). */
export type OidcTables = {
  /**
   * Every model node-oidc-provider stores (sessions, grants, codes, tokens, interactions,
   * clients, …), one row per model instance, its payload as JSON.
   */
  oidc_payloads: {
    model: string;
    id: string;
    payload: string;
    /** The grant a code or token belongs to, so a grant's revocation finds them all. */
    grant_id: string | null;
    /** A session's uid (sessions are looked up by it), else null. */
    uid: string | null;
    /** The kit account a session, grant, code or token belongs to, so a password change ends them all. */
    account_id: string | null;
    /** A device flow's user code, else null. */
    user_code: string | null;
    /** Epoch ms; null for rows that never expire (clients). */
    expires_at: number | null;
    /** Epoch ms of the single use of a code; null while unused. */
    consumed_at: number | null;
  };
  oidc_signing_keys: {
    kid: string;
    alg: string;
    public_jwk: string;
    /** The private JWK sealed under the master key (envelope encryption, bound to the kid). */
    private_jwk: string;
    /** `development` when a development-mode server created it on its own, else `operator`. */
    origin: string;
    created_at: number;
    retired_at: number | null;
  };
};

// Ids and handles are case-sensitive tokens: on MySQL/MariaDB they compare as bytes, never
// under the database's accent- and case-insensitive default collation.
const idType = (db: Kysely<unknown>, length: number) => (isMysql(db) ? sql`varchar(${sql.raw(String(length))}) character set utf8mb4 collate utf8mb4_bin` : sql`varchar(${sql.raw(String(length))})`);

export const oidcMigrations: MigrationSet = {
  '0001_oidc_provider_state': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oidc_payloads')
        .addColumn('model', 'varchar(40)', (c) => c.notNull())
        .addColumn('id', idType(db, 128), (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', idType(db, 128))
        .addColumn('uid', idType(db, 128))
        .addColumn('user_code', idType(db, 128))
        .addColumn('expires_at', 'bigint')
        .addColumn('consumed_at', 'bigint')
        .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
        .execute();
      await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
      await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['model', 'uid']).execute();
      await db.schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').columns(['model', 'user_code']).execute();
      await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').column('expires_at').execute();
      await db.schema
        .createTable('oidc_signing_keys')
        .addColumn('kid', idType(db, 64), (c) => c.primaryKey())
        .addColumn('alg', 'varchar(16)', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('origin', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();
    },
  } satisfies Migration,
  '0002_oidc_payload_account': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('oidc_payloads').addColumn('account_id', idType(db, 128)).execute();
      await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').column('account_id').execute();
      // Rows saved before this migration name their account only inside the payload.
      const tables = db.withTables<OidcTables>();
      const rows = await tables.selectFrom('oidc_payloads').select(['model', 'id', 'payload']).execute();
      for (const row of rows) {
        const accountId = (JSON.parse(row.payload) as { accountId?: unknown }).accountId;
        if (typeof accountId !== 'string') continue;
        await tables.updateTable('oidc_payloads').set({ account_id: accountId }).where('model', '=', row.model).where('id', '=', row.id).execute();
      }
    },
  } satisfies Migration,
};
