import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { skipOrFail } from './required-components.js';

export type TestDatabaseKind = 'sqlite' | 'mariadb' | 'postgres';

/** The databases `W3KIT_TEST_DATABASES` asks for (default `sqlite,mariadb,postgres`): leaving one out is a choice, not a skip. */
export function wantedDatabases(): TestDatabaseKind[] {
  const wanted = (process.env['W3KIT_TEST_DATABASES'] ?? 'sqlite,mariadb,postgres').split(',');
  return (['sqlite', 'mariadb', 'postgres'] as const).filter((kind) => wanted.includes(kind));
}

/** The servers of the matrix: kind, the variable naming it, its name, what the test command needs to start one. */
const SERVERS = [
  ['mariadb', 'MYSQL_URL', 'MariaDB', 'mariadbd'],
  ['postgres', 'POSTGRES_URL', 'PostgreSQL', 'postgresql'],
] as const;
const skipReported = new Set<TestDatabaseKind>();

/**
 * The databases every storage test runs against: `sqlite` always, `mariadb` when `MYSQL_URL`
 * points at a server, `postgres` when `POSTGRES_URL` does (the test command starts both).
 * `W3KIT_TEST_DATABASES=sqlite` (or `mariadb,postgres`, …) narrows it. A server wanted but its URL
 * unset skips its half of the matrix with a warning, or throws in CI (`componentsRequired`).
 */
export function testDatabases(): TestDatabaseKind[] {
  let kinds = wantedDatabases();
  for (const [kind, variable, name, how] of SERVERS) {
    if (!kinds.includes(kind) || process.env[variable]) continue;
    if (!skipReported.has(kind)) skipOrFail(name, `${variable} is not set (pnpm test starts a throwaway server when ${how} is installed)`);
    skipReported.add(kind);
    kinds = kinds.filter((k) => k !== kind);
  }
  return kinds;
}

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** A URL for `createDatabase` / `createKit`; several kits may open it at once. */
  url: string;
  /** Drops the database (MariaDB, PostgreSQL) or deletes its folder (SQLite). */
  drop(): Promise<void>;
}

/** A fresh, empty database of that kind: a new schema on the MariaDB server, a new database on the PostgreSQL server, a new SQLite file. */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'w3kit-test-'));
    return { kind, url: `sqlite:${join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (kind === 'postgres') return createPostgresDatabase();
  const server = process.env['MYSQL_URL'];
  if (!server) throw new Error('MYSQL_URL is not set; the MariaDB tests need a server');
  const name = `w3kit_t_${randomBytes(6).toString('hex')}`;
  const base = new URL(server);
  const admin = await createConnection({
    host: base.hostname,
    port: Number(base.port || 3306),
    user: decodeURIComponent(base.username),
    password: decodeURIComponent(base.password),
  });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await visibleOnEveryGaleraNode(name, base);
  base.pathname = `/${name}`;
  return {
    kind,
    url: base.toString(),
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.end();
      }
    },
  };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const server = process.env['POSTGRES_URL'];
  if (!server) throw new Error('POSTGRES_URL is not set; the PostgreSQL tests need a server');
  const pg = (await import('pg')).default;
  const name = `w3kit_t_${randomBytes(6).toString('hex')}`;
  const base = new URL(server);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  base.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: base.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        // WITH (FORCE): a kit a test forgot to close must not keep its database around
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * In the galera test group (W3KIT_GALERA_HOSTS): a CREATE DATABASE replicates in total order but
 * the other nodes apply it a moment later, and connecting to a database a node does not have yet
 * fails. Waits until every node lists it.
 */
async function visibleOnEveryGaleraNode(name: string, base: URL): Promise<void> {
  const hosts = process.env['W3KIT_GALERA_HOSTS']?.split(',') ?? [];
  for (const host of hosts) {
    const [hostname, port] = host.split(':');
    const conn = await createConnection({ host: hostname, port: Number(port), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
    try {
      for (let attempt = 0; ; attempt++) {
        const [rows] = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
        if ((rows as unknown[]).length > 0) break;
        if (attempt > 200) throw new Error(`database ${name} did not reach node ${host}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await conn.end();
    }
  }
}
