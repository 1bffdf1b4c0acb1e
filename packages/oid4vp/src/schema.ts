import type { Kysely, MigrationSet } from '@w3kit/core';

/** Table types of the oid4vp plugin (for `db.withTables<Oid4vpTables>()`). */
export type Oid4vpTables = {
  /** One authorization request and the login it leads to; deleted by housekeeping after its times end. */
  oid4vp_requests: {
    /** The transaction id: in the request_uri and in the site's result calls. */
    id: string;
    /** A second random id, in the response_uri only: whoever only saw the QR code cannot answer. */
    response_id: string;
    nonce: string;
    response_mode: string;
    flow: string;
    /** Same-device: where the wallet sends the browser back to (with `response_code`). */
    redirect_uri: string | null;
    /** The signed request object (JAR) served once at the request_uri. */
    request_object: string;
    /** direct_post.jwt: the ephemeral private JWK responses are encrypted to, sealed with the master key. */
    encryption_key: string | null;
    /** SHA-256 (hex) of the resultToken handed to the site. */
    result_token_hash: string;
    /** Same-device: SHA-256 (hex) of the response_code handed to the wallet's redirect. */
    response_code_hash: string | null;
    /** created → fetched → completed | failed; completed → collected. */
    state: string;
    account_id: string | null;
    /** Why the wallet's answer was refused (a RejectionReason). */
    failure: string | null;
    created_at: number;
    expires_at: number;
    completed_at: number | null;
    result_expires_at: number | null;
    /**
     * The replay key of the presentation that completed the request (unique): recorded by the
     * completing UPDATE itself, so a login costs one write, not an INSERT beside the UPDATE.
     */
    presentation_key: string | null;
  };
};

export const oid4vpMigrations: MigrationSet = {
  '0001_oid4vp_requests_and_used_presentations': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oid4vp_requests')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('response_id', 'varchar(32)', (c) => c.notNull().unique())
        .addColumn('nonce', 'varchar(64)', (c) => c.notNull())
        .addColumn('response_mode', 'varchar(20)', (c) => c.notNull())
        .addColumn('flow', 'varchar(16)', (c) => c.notNull())
        .addColumn('redirect_uri', 'varchar(2048)')
        .addColumn('request_object', 'text', (c) => c.notNull())
        .addColumn('encryption_key', 'text')
        .addColumn('result_token_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('response_code_hash', 'varchar(64)')
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('account_id', 'varchar(36)')
        .addColumn('failure', 'varchar(64)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .addColumn('result_expires_at', 'bigint')
        .execute();
      await db.schema.createIndex('oid4vp_requests_expires').on('oid4vp_requests').column('expires_at').execute();
      await db.schema
        .createTable('oid4vp_used_presentations')
        .addColumn('presentation_key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oid4vp_used_presentations_expires').on('oid4vp_used_presentations').column('expires_at').execute();
    },
  },
  // the replay key moves into the request's row: the completing UPDATE records it (one write per
  // login); a key-binding JWT names its request's nonce, so the key need not outlive the row
  '0002_oid4vp_sdjwt3_presentation_key_on_requests': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('oid4vp_requests').addColumn('presentation_key', 'varchar(64)').execute();
      await db.schema.createIndex('oid4vp_requests_presentation_key').unique().on('oid4vp_requests').column('presentation_key').execute();
      await db.schema.dropTable('oid4vp_used_presentations').execute();
    },
  },
};
