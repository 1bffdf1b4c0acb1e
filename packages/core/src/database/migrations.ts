import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { DatabaseHandle } from './create-database.js';

/** A plugin's migrations, by name; names sort in the order they run (`0001_accounts`, `0002_…`). */
export type MigrationSet = Readonly<Record<string, Migration>>;

export interface MigrationOwner {
  /** The plugin name; its migrations are tracked in `w3kit_<name>_migrations`. */
  name: string;
  migrations: MigrationSet;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migrator works on an untyped database
function migrator(db: Kysely<any>, owner: MigrationOwner, disableTransactions = false): Migrator {
  const table = `w3kit_${owner.name.replace(/[^A-Za-z0-9_]/g, '_')}_migrations`;
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...owner.migrations }) },
    migrationTableName: table,
    migrationLockTableName: `${table}_lock`,
    disableTransactions,
  });
}

function unwrap(owner: MigrationOwner, result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? ''} of "${owner.name}" failed: ${String((result.error as Error).message ?? result.error)}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Brings an owner's tables to the latest migration. Running it again is a no-op. Concurrent
 * runs are safe: on MySQL, Kysely holds a named lock (GET_LOCK) for the whole run; on
 * PostgreSQL, the run is one transaction holding a transaction-level advisory lock
 * (`pg_advisory_xact_lock`, Kysely's PostgreSQL adapter), and its DDL rolls back whole; on SQLite
 * the run happens inside one `BEGIN IMMEDIATE` transaction, which we retry without blocking
 * the event loop while another connection holds the write lock.
 */
export async function migrateToLatest(database: DatabaseHandle, owner: MigrationOwner): Promise<string[]> {
  if (database.dialect !== 'sqlite') return unwrap(owner, await migrator(database.db, owner).migrateToLatest());
  return database.db.connection().execute(async (conn) => {
    await sql`pragma busy_timeout = 0`.execute(conn);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await sql`begin immediate`.execute(conn);
          break;
        } catch (error) {
          if (!String((error as { code?: string }).code).startsWith('SQLITE_BUSY') || attempt > 600) throw error;
          await sleep(25);
        }
      }
      try {
        const applied = unwrap(owner, await migrator(conn, owner, true).migrateToLatest());
        await sql`commit`.execute(conn);
        return applied;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    } finally {
      await sql`pragma busy_timeout = 5000`.execute(conn);
    }
  });
}

/** Names of the owner's migrations not yet applied. */
export async function pendingMigrations(database: DatabaseHandle, owner: MigrationOwner): Promise<string[]> {
  const known = await migrator(database.db, owner).getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
