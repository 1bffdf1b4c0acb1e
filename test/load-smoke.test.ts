// The CI smoke variant of bench/mixed.bench.ts: the same mixed workload (logins, my_info, NFT
// mints and their retries, lists, fetches, QR verifications, phone attestations) for ~10 s over
// two kit server processes on one MariaDB database, then every acknowledged write looked up.
// Zero errors, zero lost writes, zero extra rows. The numbers are the benchmark's business.
import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { startMixedCluster, type MixedCluster } from '../bench/lib/mixed-cluster.js';
import { DEFAULT_HASH_COST } from '../bench/lib/mixed-composition.js';
import { newLedger, parseMix, runWorkload, verifyLedger } from '../bench/lib/mixed-workload.js';

for (const kind of testDatabases().filter((k) => k === 'mariadb')) {
  describe(kind, () => {
    describe('load smoke: mixed workload on two instances', function () {
      this.timeout(60_000);
      let database: TestDatabase;
      let cluster: MixedCluster | undefined;

      before(async () => {
        database = await createTestDatabase(kind);
        // in the galera group, one instance per node
        const galeraHosts = process.env['W3KIT_GALERA_HOSTS']?.split(',');
        cluster = await startMixedCluster({
          databaseUrl: database.url,
          ...(galeraHosts ? { galeraHosts } : {}),
          instances: 2,
          organizations: 2,
          users: 12,
          hashCost: DEFAULT_HASH_COST,
          connectionLimit: 8,
        });
      });

      after(async () => {
        await cluster?.stop();
        await database?.drop();
      });

      it('answers every request of 10 s of mixed load correctly and keeps every acknowledged write', async () => {
        const ledger = newLedger();
        // logins, retries and races weigh more than in the benchmark so that a short run surely has some
        const phase = await runWorkload({
          urls: cluster!.urls,
          actors: cluster!.actors,
          ledger,
          sms: cluster!.sms,
          phones: { next: 0 },
          durationSeconds: 10,
          connections: 8,
          mix: parseMix('login=3,mint_retry=3,mint_race=3'),
        });
        assert.equal(phase.errors, 0, `errors:\n${phase.errorSamples.join('\n')}`);
        for (const operation of ['login', 'my_info', 'held_by', 'minted_by_me', 'fetch', 'mint', 'mint_retry', 'mint_race', 'qr_step1', 'qr_step2', 'qr_result', 'attest_generate', 'attest_verify']) {
          assert.ok((phase.operations[operation]?.requests ?? 0) > 0, `no ${operation} request in the run`);
        }
        const checks = await verifyLedger(database.url, ledger, cluster!.smsCount());
        for (const check of checks) assert.ok(check.acknowledged > 0, `nothing acknowledged for ${check.what}`);
        assert.deepEqual(
          checks.filter((c) => c.lost > 0 || c.extra > 0),
          [],
        );
      });
    });
  });
}
