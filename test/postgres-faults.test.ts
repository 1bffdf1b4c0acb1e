/**
 * PostgreSQL crashing mid-run and coming back, with standalone server processes on a throwaway
 * PostgreSQL of this file's own (the shared one cannot be killed): the postmaster and every
 * backend are SIGKILLed, so the restart goes through crash recovery.
 */
import { requireOrSkip, testDatabases, wantedDatabases } from '@w3kit/core/testing';
import pg from 'pg';
import { postgresAvailable, startPostgres, type ThrowawayPostgres } from '../scripts/postgres.mjs';
import { crashAndComeBack } from './database-crash.js';
import { deploymentEnv, stopAllServerProcesses } from './server-process.js';

describe('postgres', () => {
  describe('faults: PostgreSQL crashes and comes back', function () {
    this.timeout(60_000);
    let postgres: ThrowawayPostgres | undefined;

    before(async () => {
      if (!testDatabases().includes('postgres') || !postgresAvailable()) return;
      postgres = await startPostgres({ sharedBuffers: '32MB', maxConnections: 50 });
    });
    after(async () => {
      await stopAllServerProcesses();
      await postgres?.stop();
    });

    /** One query on a fresh connection: connections do not survive the crash. */
    async function query(database: string, text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
      const client = new pg.Client({ connectionString: postgres!.url.replace(/\/postgres$/, `/${database}`) });
      await client.connect();
      try {
        return (await client.query(text, params)).rows;
      } finally {
        await client.end();
      }
    }

    it('PostgreSQL crashes mid-run: clean 503s in each wire format, no hang, processes stay up; both serve again by themselves; acknowledged writes are all there', async function () {
      // without PostgreSQL this skips loudly, and fails in CI (`requireOrSkip`); W3KIT_TEST_DATABASES may leave it out
      if (!wantedDatabases().includes('postgres')) return this.skip();
      requireOrSkip(this, 'PostgreSQL', postgres ? undefined : !testDatabases().includes('postgres') ? 'POSTGRES_URL is not set' : 'PostgreSQL is not installed (this file starts its own server)');
      if (!postgres) return;
      const name = 'w3kit_faults_restart';
      await query('postgres', `CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`, []);
      await crashAndComeBack({
        env: deploymentEnv(postgres.url.replace(/\/postgres$/, `/${name}`)),
        crash: () => postgres!.shutdown({ crash: true }),
        restart: () => postgres!.restart(),
        isDown: () => postgres!.pid === undefined,
        storedTokens: async (holder) => (await query(name, 'SELECT token_id FROM nft_tokens WHERE holder_account_id = $1', [holder])).map((r) => r['token_id'] as string),
        countAccounts: async (ids) => Number((await query(name, 'SELECT COUNT(*) AS n FROM auth_accounts WHERE id = ANY($1)', [ids]))[0]!['n']),
      });
    });
  });
});
