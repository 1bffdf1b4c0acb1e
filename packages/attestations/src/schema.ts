import type { MigrationSet } from '@w3kit/core';

/**
 * The attestation plugin's one table: OAuth flows (Facebook `state`, Twitter request tokens)
 * between `auth-url` and `verify`. Codes and rate-limit counters live in core's tables.
 * Only keyed hashes of the flow key and of the returned grant are stored; the Twitter request
 * token and its secret are sealed with the kit's envelope encryption.
 */
export const attestationMigrations: MigrationSet = {
  '0001_oauth_flows': {
    async up(db) {
      await db.schema
        .createTable('w3kit_attestation_oauth_flows')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('provider', 'varchar(16)', (c) => c.notNull())
        .addColumn('key_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('sealed_secret', 'text')
        .addColumn('grant_hash', 'varchar(64)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('returned_at', 'bigint')
        .addColumn('consumed_at', 'bigint')
        .execute();
      await db.schema.createIndex('w3kit_attestation_oauth_flows_key').on('w3kit_attestation_oauth_flows').columns(['provider', 'key_hash']).execute();
      await db.schema.createIndex('w3kit_attestation_oauth_flows_grant').on('w3kit_attestation_oauth_flows').columns(['provider', 'grant_hash']).execute();
      await db.schema.createIndex('w3kit_attestation_oauth_flows_expires').on('w3kit_attestation_oauth_flows').column('expires_at').execute();
    },
  },
};

/** Table types, for `db.withTables<AttestationTables>()` (an alias, as `withTables` needs). */
export type AttestationTables = {
  w3kit_attestation_oauth_flows: {
    id: string;
    provider: string;
    key_hash: string;
    sealed_secret: string | null;
    grant_hash: string | null;
    created_at: number;
    expires_at: number;
    returned_at: number | null;
    consumed_at: number | null;
  };
};
