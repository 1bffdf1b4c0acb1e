import { type Kysely, type Migration, type MigrationSet } from '@w3kit/core';

export type JobKind = 'mint' | 'burn';

/** Table types of the chain plugin (for `db.withTables<ChainTables>()`). */
export type ChainTables = {
  chain_jobs: {
    id: string;
    token_id: string;
    kind: string;
    /** JSON of the call's arguments (owner, uri, expiry). */
    payload: string;
    status: string;
    attempts: number;
    next_attempt_at: number;
    lease_owner: string | null;
    lease_until: number | null;
    sender: string | null;
    nonce: number | null;
    /** The signed transaction last sent: re-broadcast as is when a reorg or a node drops it. */
    raw_tx: string | null;
    tx_hash: string | null;
    /** JSON list of every hash sent for this nonce (gas bumps): any of them may be the one mined. */
    tx_hashes: string | null;
    max_fee: string | null;
    priority_fee: string | null;
    sent_at: number | null;
    block_number: number | null;
    resends: number;
    error: string | null;
    created_at: number;
    updated_at: number;
  };
  chain_nonces: { sender: string; next_nonce: number };
  chain_webhook_deliveries: {
    id: string;
    job_id: string;
    url: string;
    body: string;
    state: string;
    attempts: number;
    next_attempt_at: number;
    lease_until: number | null;
    last_result: string | null;
    delivered_at: number | null;
    created_at: number;
  };
};

export const chainMigrations: MigrationSet = {
  '0001_chain_outbox_and_nonces': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('chain_jobs')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('token_id', 'varchar(66)', (c) => c.notNull())
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(10)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'varchar(36)')
        .addColumn('lease_until', 'bigint')
        .addColumn('sender', 'varchar(42)')
        .addColumn('nonce', 'bigint')
        .addColumn('raw_tx', 'text')
        .addColumn('tx_hash', 'varchar(66)')
        .addColumn('tx_hashes', 'text')
        .addColumn('max_fee', 'varchar(40)')
        .addColumn('priority_fee', 'varchar(40)')
        .addColumn('sent_at', 'bigint')
        .addColumn('block_number', 'bigint')
        .addColumn('resends', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'varchar(300)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        // one mint and one burn per token: enqueueing twice (a retried publish) is a no-op
        .addUniqueConstraint('chain_jobs_token_kind', ['token_id', 'kind'])
        .execute();
      await db.schema.createIndex('chain_jobs_due').on('chain_jobs').columns(['status', 'next_attempt_at']).execute();
      // a sender's nonce, allocated by compare-and-set: no two jobs get one nonce, none is skipped
      await db.schema
        .createTable('chain_nonces')
        .addColumn('sender', 'varchar(42)', (c) => c.primaryKey())
        .addColumn('next_nonce', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('chain_webhook_deliveries')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('job_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('url', 'varchar(2000)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(10)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_until', 'bigint')
        .addColumn('last_result', 'varchar(200)')
        .addColumn('delivered_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('chain_webhook_deliveries_due').on('chain_webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('chain_webhook_deliveries_job').on('chain_webhook_deliveries').column('job_id').execute();
    },
  } satisfies Migration,
};
