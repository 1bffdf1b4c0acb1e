import { randomBytes } from 'node:crypto';
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { DatabaseHandle } from './create-database.js';
import { isTransientDbError, isUniqueViolation } from './retry.js';

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

/** A stale lock (its holder died mid-run) is taken over after this long. */
const CLUSTER_LOCK_TTL_MS = 120_000;

/**
 * Runs `work` holding a lock row in `w3kit_migration_locks`. Kysely's GET_LOCK is a lock of one
 * server, and on a Galera cluster each node has its own: two instances on two nodes would both
 * run the migrations. A row is cluster-wide: of two INSERTs of the same key on two nodes, one
 * commits and the other fails (a duplicate, or a certification conflict), and it waits.
 */
async function withClusterLock<T>(database: DatabaseHandle, name: string, work: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the lock table is not in any plugin's types
  const db = database.db as Kysely<any>;
  await sql`create table if not exists w3kit_migration_locks (name varchar(96) primary key, holder varchar(32) not null, expires_at bigint not null)`.execute(db);
  const holder = randomBytes(12).toString('hex');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const now = Date.now();
    try {
      await db
        .insertInto('w3kit_migration_locks')
        .values({ name, holder, expires_at: now + CLUSTER_LOCK_TTL_MS })
        .execute();
      break;
    } catch (error) {
      if (!isUniqueViolation(error) && !isTransientDbError(error)) throw error;
    }
    const takeover = await db
      .updateTable('w3kit_migration_locks')
      .set({ holder, expires_at: now + CLUSTER_LOCK_TTL_MS })
      .where('name', '=', name)
      .where('expires_at', '<', now)
      .executeTakeFirst()
      .catch((error: unknown) => {
        if (isTransientDbError(error)) return { numUpdatedRows: 0n };
        throw error;
      });
    if (Number(takeover.numUpdatedRows) === 1) break;
    if (Date.now() > deadline) throw new Error(`migrations of "${name}": another instance has held the migration lock for 10 minutes`);
    await sleep(100 + Math.random() * 100);
  }
  try {
    return await work();
  } finally {
    await db.deleteFrom('w3kit_migration_locks').where('name', '=', name).where('holder', '=', holder).execute();
  }
}

/**
 * Brings an owner's tables to the latest migration. Running it again is a no-op. Concurrent
 * runs are safe: on MySQL, a lock row (cluster-wide, see withClusterLock) and Kysely's named
 * lock (GET_LOCK) are held for the whole run; on PostgreSQL, the run is one transaction holding
 * a transaction-level advisory lock (`pg_advisory_xact_lock`, Kysely's PostgreSQL adapter), and
 * its DDL rolls back whole; on SQLite
 * the run happens inside one `BEGIN IMMEDIATE` transaction, which we retry without blocking
 * the event loop while another connection holds the write lock.
 */
export async function migrateToLatest(database: DatabaseHandle, owner: MigrationOwner): Promise<string[]> {
  if (database.dialect === 'mysql') return withClusterLock(database, owner.name, async () => unwrap(owner, await migrator(database.db, owner).migrateToLatest()));
  if (database.dialect === 'postgres') return unwrap(owner, await migrator(database.db, owner).migrateToLatest());
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
