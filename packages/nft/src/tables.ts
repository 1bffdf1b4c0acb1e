import { isMysql, sql, type Kysely, type Migration, type MigrationSet } from '@w3kit/core';

/** The documented search fields (`POST /nft/search`), each an indexed column. */
export const SEARCH_FIELDS = [
  'issuer',
  'contents_provider',
  'name',
  'description',
  'category',
  'program_name',
  'organization',
  'brand',
  'competency',
  'credential_category',
  'level',
  'status',
  'gtin',
  'gtin12',
  'gtin13',
  'gtin14',
  'gtin8',
  'has_adult_consideration',
  'rating',
  'keywords',
] as const;

export type SearchField = (typeof SEARCH_FIELDS)[number];

type SearchColumns = { [K in SearchField as `s_${K}`]: string | null };

/** Table types of the nft plugin (a type alias, for `db.withTables<NftTables>()`). */
export type NftTables = {
  nft_tokens: {
    token_id: string;
    holder_address: string;
    holder_account_id: string;
    minter_account_id: string;
    minter_address: string;
    visibility: string;
    created_at: number;
    expired_at: number;
    metadata: string;
    metadata_hash: string;
    minter_signature: string;
  } & SearchColumns;
  nft_idempotency_keys: { minter_account_id: string; idempotency_key: string; request_hash: string; token_id: string; created_at: number };
  nft_qr_codes: {
    code_hash: string;
    token_id: string;
    holder_account_id: string;
    holder_latitude: number;
    holder_longitude: number;
    created_at: number;
    expires_at: number;
    verified_at: number | null;
    scanner_account_id: string | null;
  };
  nft_verifications: {
    id: string;
    token_id: string;
    scanner_account_id: string;
    verified_at: number;
    scanner_latitude: number;
    scanner_longitude: number;
    holder_latitude: number;
    holder_longitude: number;
  };
};

export const nftMigrations: MigrationSet = {
  '0001_tokens': {
    async up(db: Kysely<unknown>) {
      let table = db.schema
        .createTable('nft_tokens')
        .addColumn('token_id', 'varchar(66)', (c) => c.primaryKey())
        .addColumn('holder_address', 'varchar(42)', (c) => c.notNull())
        .addColumn('holder_account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('minter_account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('minter_address', 'varchar(42)', (c) => c.notNull())
        .addColumn('visibility', 'varchar(8)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expired_at', 'bigint', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('metadata_hash', 'varchar(66)', (c) => c.notNull())
        .addColumn('minter_signature', 'varchar(140)', (c) => c.notNull());
      // search keys: the value itself up to 100 characters, else a hash of it (see search-key.ts).
      // Search is exact: MySQL's default collation would match 'ACME' to 'acme', so binary there.
      const mysql = isMysql(db);
      for (const field of SEARCH_FIELDS) table = table.addColumn(`s_${field}`, 'varchar(104)', (c) => (mysql ? c.modifyEnd(sql`collate utf8mb4_bin`) : c));
      await table.execute();
      // Every list and search query walks one of these in (…, created_at, token_id) order, so
      // pages come straight off the index and deep pages are a covering-index skip.
      // One holder index for every viewer: rows come in page order and a viewer who may see only
      // public tokens filters on the trailing visibility column without leaving the index. (A
      // second (holder, visibility, …) index tempted MariaDB into a filesort of all the holder's
      // tokens for the unfiltered query.)
      await db.schema.createIndex('nft_tokens_holder').on('nft_tokens').columns(['holder_address', 'created_at', 'token_id', 'visibility']).execute();
      await db.schema.createIndex('nft_tokens_minter').on('nft_tokens').columns(['minter_account_id', 'created_at', 'token_id']).execute();
      await db.schema.createIndex('nft_tokens_public').on('nft_tokens').columns(['visibility', 'created_at', 'token_id']).execute();
      for (const field of SEARCH_FIELDS) {
        await db.schema
          .createIndex(`nft_tokens_s_${field}`)
          .on('nft_tokens')
          .columns([`s_${field}`, 'visibility', 'created_at', 'token_id'])
          .execute();
      }
      await db.schema
        .createTable('nft_idempotency_keys')
        .addColumn('minter_account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('idempotency_key', 'varchar(128)', (c) => c.notNull())
        .addColumn('request_hash', 'varchar(66)', (c) => c.notNull())
        .addColumn('token_id', 'varchar(66)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('nft_idempotency_keys_pk', ['minter_account_id', 'idempotency_key'])
        .execute();
    },
  } satisfies Migration,
  '0002_verifications': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('nft_qr_codes')
        .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('token_id', 'varchar(66)', (c) => c.notNull())
        .addColumn('holder_account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('holder_latitude', 'double precision', (c) => c.notNull())
        .addColumn('holder_longitude', 'double precision', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('verified_at', 'bigint')
        .addColumn('scanner_account_id', 'varchar(36)')
        .execute();
      await db.schema.createIndex('nft_qr_codes_expires').on('nft_qr_codes').column('expires_at').execute();
      await db.schema
        .createTable('nft_verifications')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('token_id', 'varchar(66)', (c) => c.notNull())
        .addColumn('scanner_account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('verified_at', 'bigint', (c) => c.notNull())
        .addColumn('scanner_latitude', 'double precision', (c) => c.notNull())
        .addColumn('scanner_longitude', 'double precision', (c) => c.notNull())
        .addColumn('holder_latitude', 'double precision', (c) => c.notNull())
        .addColumn('holder_longitude', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('nft_verifications_token').on('nft_verifications').columns(['token_id', 'verified_at']).execute();
    },
  } satisfies Migration,
  '0003_exact_idempotency_keys': {
    // Keys are exact: under MySQL's default collation `Key-1` and `key-1` were one key, so a
    // second mint got the first's token or a 409. (Keys have no spaces: PAD SPACE cannot bite.)
    async up(db: Kysely<unknown>) {
      if (!isMysql(db)) return;
      await sql`alter table nft_idempotency_keys modify idempotency_key varchar(128) collate utf8mb4_bin not null`.execute(db);
    },
  } satisfies Migration,
};
