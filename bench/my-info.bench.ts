// GET /rest/v1/account/my_info with a bearer token: the kit (auth plugin) against a bare Koa app
// doing the same JWT verification and the same database reads (the token's session, for
// revocation, and the account), on SQLite and on MariaDB.
// Target (issue 3): the kit sustains at least 85% of the bare app's requests per second.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { mariadbAvailable, startMariadb } from '../scripts/mariadb.mjs';
import { compare, type Comparison } from './lib/harness.js';

const TARGET = 0.85;

/** Creates the schema, one end user and a token, the way the server would. */
async function seed(databaseUrl: string, masterKey: string): Promise<string> {
  const kit = await createKit({
    database: databaseUrl,
    plugins: [auth()],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey, publicUrl: 'http://127.0.0.1:3000', mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0 },
  });
  try {
    const account = await kit.services.accountService.createEndUser({ loginId: 'bench', email: 'bench@example.com', password: 'bench-password', name: 'Bench' });
    return (await kit.services.tokenService.issueAccessToken(account)).token;
  } finally {
    await kit.close();
  }
}

async function run(name: string, databaseUrl: string): Promise<Comparison> {
  const masterKey = randomBytes(32).toString('hex');
  const token = await seed(databaseUrl, masterKey);
  const request = { path: '/rest/v1/account/my_info', headers: { authorization: `Bearer ${token}` } };
  const env = { DATABASE_URL: databaseUrl, W3KIT_MASTER_KEY: masterKey };
  return compare({ name, kit: { script: 'my-info-kit.ts', env, request }, baseline: { script: 'my-info-bare.ts', env, request }, target: TARGET });
}

export default async function myInfoBench(): Promise<{ met: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-bench-'));
  const results: Comparison[] = [];
  try {
    results.push(await run('my-info-sqlite', `sqlite:${join(dir, 'bench.db')}`));
    let mysqlUrl = process.env['MYSQL_URL'];
    const server = !mysqlUrl && mariadbAvailable() ? await startMariadb() : null;
    if (server) mysqlUrl = server.url;
    try {
      if (mysqlUrl) {
        const { createConnection } = await import('mysql2/promise');
        const admin = await createConnection(mysqlUrl);
        const database = `w3kit_bench_${randomBytes(4).toString('hex')}`;
        await admin.query(`CREATE DATABASE ${database}`);
        try {
          results.push(await run('my-info-mariadb', `${mysqlUrl.replace(/\/$/, '')}/${database}`));
        } finally {
          await admin.query(`DROP DATABASE ${database}`);
          await admin.end();
        }
      } else console.log('my-info-mariadb: SKIPPED (no mariadbd and no MYSQL_URL)');
    } finally {
      await server?.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { met: results.every((r) => r.met) };
}
