import type { Kysely, MigrationSet } from '@w3kit/core';

/** Table types of the did plugin (a type alias, for `db.withTables<DidTables>()`). */
export type DidTables = {
  /** The kit's own keys: one issuer key per key type, one verifier key; shared by every instance. */
  did_kit_keys: {
    did: string;
    role: string;
    key_type: string;
    alias: string;
    public_key: string;
    /** Envelope ciphertext, bound to the DID. */
    private_key: string;
    created_at: number;
  };
  /** Custodial secp256k1 keys made by `create-address`. */
  did_custodial_keys: {
    /** Lower-case 0x address. */
    address: string;
    public_key: string;
    private_key: string;
    /** SHA-256 (hex) of the one-time-shown secretKey. */
    secret_hash: string;
    owner_account_id: string | null;
    created_at: number;
  };
  /** DIDs made by `create-did`. */
  did_identifiers: {
    did: string;
    alias: string;
    address: string;
    /** `custodial` (a did_custodial_keys row) or `id-wallet` (the account's ID wallet, held by auth). */
    key_source: string;
    owner_account_id: string | null;
    created_at: number;
  };
  did_status_lists: {
    id: string;
    issuer_did: string;
    purpose: string;
    length: number;
    /** Entries handed out; a new list starts when it reaches the capacity. */
    allocated: number;
    created_at: number;
  };
  /** Every credential the kit issued: its status entry, and the account it logs in (create-vc). */
  did_credentials: {
    /** The credential's own `id` (`urn:uuid:…` unless the VC-API request gave one). */
    id: string;
    issuer_did: string;
    format: string;
    holder: string | null;
    subject_account_id: string | null;
    requested_by: string | null;
    status_list_id: string;
    status_index: number;
    issued_at: number;
    expires_at: number | null;
    revoked_at: number | null;
  };
  /** Website logins through an app (`auth-user-by-app`). */
  did_app_logins: {
    id: string;
    request_id: string;
    result_token_hash: string;
    state: string;
    account_id: string | null;
    created_at: number;
    expires_at: number;
    completed_at: number | null;
    result_expires_at: number | null;
    collected_at: number | null;
  };
  /** Presentations that logged someone in, remembered until they would be too old anyway. */
  did_used_presentations: { hash: string; expires_at: number };
  /** Each organization's own issuer keys (VC-API issuance), one per key type, created on first use. */
  did_organization_keys: {
    did: string;
    account_id: string;
    key_type: string;
    public_key: string;
    /** Envelope ciphertext, bound to the DID. */
    private_key: string;
    created_at: number;
  };
};

export const didMigrations: MigrationSet = {
  '0001_did': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('did_kit_keys')
        .addColumn('did', 'varchar(191)', (c) => c.primaryKey())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('key_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('alias', 'varchar(64)', (c) => c.notNull())
        .addColumn('public_key', 'varchar(200)', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // one key per role and type: two instances starting at once cannot both create the issuer
      await db.schema.createIndex('did_kit_keys_role_type').on('did_kit_keys').columns(['role', 'key_type']).unique().execute();

      await db.schema
        .createTable('did_custodial_keys')
        .addColumn('address', 'varchar(42)', (c) => c.primaryKey())
        .addColumn('public_key', 'varchar(132)', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('owner_account_id', 'varchar(36)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('did_custodial_keys_owner').on('did_custodial_keys').column('owner_account_id').execute();

      await db.schema
        .createTable('did_identifiers')
        .addColumn('did', 'varchar(191)', (c) => c.primaryKey())
        .addColumn('alias', 'varchar(191)', (c) => c.notNull())
        .addColumn('address', 'varchar(42)', (c) => c.notNull())
        .addColumn('key_source', 'varchar(16)', (c) => c.notNull())
        .addColumn('owner_account_id', 'varchar(36)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('did_identifiers_address').on('did_identifiers').column('address').execute();

      await db.schema
        .createTable('did_status_lists')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('issuer_did', 'varchar(191)', (c) => c.notNull())
        .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
        .addColumn('length', 'integer', (c) => c.notNull())
        .addColumn('allocated', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('did_status_lists_issuer').on('did_status_lists').columns(['issuer_did', 'purpose', 'created_at']).execute();

      await db.schema
        .createTable('did_credentials')
        .addColumn('id', 'varchar(191)', (c) => c.primaryKey())
        .addColumn('issuer_did', 'varchar(191)', (c) => c.notNull())
        .addColumn('format', 'varchar(32)', (c) => c.notNull())
        .addColumn('holder', 'varchar(512)')
        .addColumn('subject_account_id', 'varchar(36)')
        .addColumn('requested_by', 'varchar(36)')
        .addColumn('status_list_id', 'varchar(36)', (c) => c.notNull().references('did_status_lists.id'))
        .addColumn('status_index', 'integer', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      // a status entry belongs to one credential; the index also serves "revoked entries of a list"
      await db.schema.createIndex('did_credentials_status').on('did_credentials').columns(['status_list_id', 'status_index']).unique().execute();

      await db.schema
        .createTable('did_app_logins')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('request_id', 'varchar(2048)', (c) => c.notNull())
        .addColumn('result_token_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('account_id', 'varchar(36)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .addColumn('result_expires_at', 'bigint')
        .addColumn('collected_at', 'bigint')
        .execute();
      await db.schema.createIndex('did_app_logins_expires').on('did_app_logins').column('expires_at').execute();

      await db.schema
        .createTable('did_used_presentations')
        .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('did_used_presentations_expires').on('did_used_presentations').column('expires_at').execute();
    },
  },
  // VC-API issuance signs as the organization's own DIDs, never as the kit's account-attesting issuers (security issue 11, item 9).
  '0002_did_security_organization_issuers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('did_organization_keys')
        .addColumn('did', 'varchar(191)', (c) => c.primaryKey())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('key_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('public_key', 'varchar(200)', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // one key per organization and type: two instances issuing at once agree on one
      await db.schema.createIndex('did_organization_keys_account_type').on('did_organization_keys').columns(['account_id', 'key_type']).unique().execute();
    },
  },
};
