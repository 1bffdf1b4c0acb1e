import { MysqlAdapter, PostgresAdapter, type Kysely } from 'kysely';

/** True when `db` talks to MySQL/MariaDB; for the few migrations that need dialect-specific DDL. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations receive an untyped Kysely
export const isMysql = (db: Kysely<any>): boolean => db.getExecutor().adapter instanceof MysqlAdapter;

/** True when `db` talks to PostgreSQL; for the few migrations that need dialect-specific DDL. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations receive an untyped Kysely
export const isPostgres = (db: Kysely<any>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;
