import type { Kysely, MigrationSet } from '@w3kit/core';

/** Table types of the oid4vci plugin (for `db.withTables<Oid4vciTables>()`). */
export type Oid4vciTables = {
  /**
   * Credential offers, one row from offer to credential. Every secret of the flow is stored as a
   * keyed digest (encryption.digest); the pre-authorized code also sealed, because the offer
   * document must show it once. `state` moves forward only, each step one conditional UPDATE.
   */
  oid4vci_offers: {
    id: string;
    /** The account the credential is about. */
    account_id: string;
    /** The account that created the offer (the user themselves, or an organization). */
    created_by: string;
    credential_configuration_id: string;
    /** `pre-authorized_code`, or `authorization_code` (the code columns then hold the issuer_state, consumed when the OP issues its code). */
    grant_type: string;
    /** Digest of the reference in `credential_offer_uri`. */
    offer_ref_hash: string;
    /** Digest of the pre-authorized code, for the token endpoint's lookup. */
    code_hash: string;
    /** The pre-authorized code sealed under the master key, opened for the one offer fetch. */
    code_sealed: string;
    /** Digest of the tx_code; null for an offer without one. */
    tx_code_hash: string | null;
    /** Tries of the tx_code so far, each counted before it is compared. */
    tx_code_attempts: number;
    /** offered → (fetched) → token_issued → credential_issued; `exhausted` when tx_code tries ran out. */
    state: string;
    /** When the offer document was fetched (once). */
    fetched_at: number | null;
    created_at: number;
    expires_at: number;
  };
  /** c_nonces from the nonce endpoint, deleted when a proof uses them. */
  oid4vci_nonces: {
    nonce_hash: string;
    expires_at: number;
  };
  /** SD-JWT VCs issued, each with its entry in a Token Status List. */
  oid4vci_credentials: {
    id: string;
    account_id: string;
    offer_id: string;
    /** Offering organization (or the account itself), who may revoke besides the account. */
    created_by: string;
    list_id: number;
    idx: number;
    /** 0 valid, 1 invalid (revoked). */
    status: number;
    issued_at: number;
    revoked_at: number | null;
  };
  /** The issuer's signing keys (ES256); the private JWK sealed under the master key. */
  oid4vci_signing_keys: {
    kid: string;
    public_jwk: string;
    private_sealed: string;
    created_at: number;
    retired_at: number | null;
  };
};

export const oid4vciMigrations: MigrationSet = {
  '0001_oid4vci_offers_nonces_status_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oid4vci_offers')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('created_by', 'varchar(36)', (c) => c.notNull())
        .addColumn('credential_configuration_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('offer_ref_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('code_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('code_sealed', 'varchar(512)', (c) => c.notNull())
        .addColumn('tx_code_hash', 'varchar(64)')
        .addColumn('tx_code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('state', 'varchar(24)', (c) => c.notNull())
        .addColumn('fetched_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oid4vci_offers_expires').on('oid4vci_offers').column('expires_at').execute();
      await db.schema
        .createTable('oid4vci_nonces')
        .addColumn('nonce_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oid4vci_nonces_expires').on('oid4vci_nonces').column('expires_at').execute();
      await db.schema
        .createTable('oid4vci_credentials')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('offer_id', 'varchar(36)', (c) => c.notNull().unique())
        .addColumn('created_by', 'varchar(36)', (c) => c.notNull())
        .addColumn('list_id', 'integer', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addUniqueConstraint('oid4vci_credentials_entry', ['list_id', 'idx'])
        .execute();
      await db.schema.createIndex('oid4vci_credentials_account').on('oid4vci_credentials').column('account_id').execute();
      await db.schema
        .createTable('oid4vci_signing_keys')
        .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('public_jwk', 'varchar(1024)', (c) => c.notNull())
        .addColumn('private_sealed', 'varchar(2048)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();
    },
  },
  // The authorization code flow through @w3kit/oidc: an offer may carry an issuer_state instead of a pre-authorized code.
  '0002_oid4vci_authcode_grant_type': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('oid4vci_offers')
        .addColumn('grant_type', 'varchar(24)', (c) => c.notNull().defaultTo('pre-authorized_code'))
        .execute();
    },
  },
};
