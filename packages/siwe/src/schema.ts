import type { Kysely, MigrationSet } from '@w3kit/core';

/** Table types of the siwe plugin (for `db.withTables<SiweTables>()`). */
export type SiweTables = {
  /** Nonces handed out and not used yet; a row is deleted when it signs someone in. */
  siwe_nonces: {
    /** Keyed digest of the nonce (encryption.digest). */
    nonce_hash: string;
    created_at: number;
    expires_at: number;
  };
  /** The addresses of accounts: one account holds any number, on any chains (CAIP-10 `eip155:<chain>:<address>`). */
  siwe_addresses: {
    chain_id: number;
    /** EIP-55 checksummed. */
    address: string;
    account_id: string;
    created_at: number;
  };
};

export const siweMigrations: MigrationSet = {
  '0001_siwe_nonces_and_addresses': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('siwe_nonces')
        .addColumn('nonce_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('siwe_nonces_expires').on('siwe_nonces').column('expires_at').execute();
      await db.schema
        .createTable('siwe_addresses')
        .addColumn('chain_id', 'bigint', (c) => c.notNull())
        .addColumn('address', 'varchar(42)', (c) => c.notNull())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('siwe_addresses_pk', ['chain_id', 'address'])
        .execute();
      await db.schema.createIndex('siwe_addresses_account').on('siwe_addresses').column('account_id').execute();
    },
  },
};
