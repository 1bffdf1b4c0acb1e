// The database server a benchmark runs on: `BENCH_DATABASE=mariadb` (the default) or `postgres`.
// Uses the server in MYSQL_URL / POSTGRES_URL when set, else starts a throwaway one; either way
// the benchmark gets a database of its own, dropped at the end.
import { randomBytes } from 'node:crypto';
import { mariadbAvailable, startMariadb } from '../../scripts/mariadb.mjs';
import { postgresAvailable, startPostgres } from '../../scripts/postgres.mjs';

export type BenchEngine = 'mariadb' | 'postgres';

export interface BenchDatabase {
  engine: BenchEngine;
  /** The engine's display name, for reports. */
  label: string;
  /** A database URL for the kit, with `?connectionLimit=` when one was asked for. */
  url: string;
  /** The throwaway server's pid (undefined for a server given by URL). */
  pid: number | undefined;
  /** Drops the database and stops a throwaway server. */
  close(): Promise<void>;
}

export function benchEngine(): BenchEngine {
  const engine = process.env['BENCH_DATABASE'] ?? 'mariadb';
  if (engine !== 'mariadb' && engine !== 'postgres') throw new TypeError(`BENCH_DATABASE must be mariadb or postgres, not "${engine}"`);
  return engine;
}

/** A fresh database on the chosen engine, or null (with the reason printed) when none can run here. */
export async function openBenchDatabase(
  name: string,
  { connectionLimit, bufferPool = '2G', engine = benchEngine() }: { connectionLimit?: number; bufferPool?: string; engine?: BenchEngine } = {},
): Promise<BenchDatabase | null> {
  const database = `w3kit_${name}_${randomBytes(4).toString('hex')}`;
  const limit = connectionLimit === undefined ? '' : `?connectionLimit=${connectionLimit}`;
  if (engine === 'postgres') {
    let serverUrl = process.env['POSTGRES_URL'];
    const server = !serverUrl && postgresAvailable() ? await startPostgres({ sharedBuffers: bufferPool.replace(/G$/, 'GB').replace(/M$/, 'MB') }) : null;
    if (server) serverUrl = server.url;
    if (!serverUrl) {
      console.log(`${name}: SKIPPED (needs PostgreSQL: install postgresql or set POSTGRES_URL)`);
      return null;
    }
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`);
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    return {
      engine,
      label: 'PostgreSQL',
      url: `${url.toString()}${limit}`,
      pid: server?.pid,
      async close() {
        try {
          await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          await admin.end();
        } finally {
          await server?.stop();
        }
      },
    };
  }
  let serverUrl = process.env['MYSQL_URL'];
  const server = !serverUrl && mariadbAvailable() ? await startMariadb({ bufferPoolSize: bufferPool }) : null;
  if (server) serverUrl = server.url;
  if (!serverUrl) {
    console.log(`${name}: SKIPPED (needs MariaDB: install mariadb-server or set MYSQL_URL)`);
    return null;
  }
  const { createConnection } = await import('mysql2/promise');
  const admin = await createConnection(serverUrl);
  await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    engine,
    label: 'MariaDB',
    url: `${serverUrl.replace(/\/$/, '')}/${database}${limit}`,
    pid: server?.pid,
    async close() {
      try {
        await admin.query(`DROP DATABASE ${database}`);
        await admin.end();
      } finally {
        await server?.stop();
      }
    },
  };
}
