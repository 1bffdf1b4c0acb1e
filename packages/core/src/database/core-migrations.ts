import { type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from './migrations.js';

/** Core's own tables: rate-limit counters and one-time codes, shared by every plugin. */
export const coreMigrations: MigrationSet = {
  '0001_rate_limits': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('w3kit_rate_limits')
        .addColumn('bucket', 'varchar(96)', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('w3kit_rate_limits_pk', ['bucket', 'window_start'])
        .execute();
      await db.schema.createIndex('w3kit_rate_limits_expires').on('w3kit_rate_limits').column('expires_at').execute();
    },
  } satisfies Migration,
  '0002_one_time_codes': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('w3kit_one_time_codes')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('purpose', 'varchar(64)', (c) => c.notNull())
        .addColumn('subject_hash', 'varchar(64)')
        .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('data', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('consumed_at', 'bigint')
        .execute();
      await db.schema.createIndex('w3kit_one_time_codes_subject').on('w3kit_one_time_codes').columns(['purpose', 'subject_hash', 'created_at']).execute();
      await db.schema.createIndex('w3kit_one_time_codes_secret').on('w3kit_one_time_codes').column('secret_hash').execute();
      await db.schema.createIndex('w3kit_one_time_codes_expires').on('w3kit_one_time_codes').column('expires_at').execute();
    },
  } satisfies Migration,
};

/**
 * Table types of core, for `db.withTables<CoreTables>()`. A type alias, not an interface:
 * `withTables` needs the implicit index signature only aliases have.
 */
export type CoreTables = {
  w3kit_rate_limits: { bucket: string; window_start: number; hits: number; expires_at: number };
  w3kit_one_time_codes: {
    id: string;
    purpose: string;
    subject_hash: string | null;
    secret_hash: string;
    data: string | null;
    attempts: number;
    max_attempts: number;
    created_at: number;
    expires_at: number;
    consumed_at: number | null;
  };
};
