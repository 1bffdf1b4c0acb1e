/**
 * Node loss and migrations on a three-node Galera cluster (the galera test group). Three kit
 * server processes, one per node, each with the whole host list in DATABASE_URL (its own node
 * first): a node is SIGKILLed mid-run, the instance on it fails over to the others without a
 * restart, requests during the failover fail cleanly (503 with retry-after, no hang), every
 * acknowledged write is found afterwards, and the node rejoins and catches up.
 */
import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit } from '@w3kit/core';
import { createTestDatabase, type TestDatabase } from '@w3kit/core/testing';
import { nft } from '@w3kit/nft';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { startMixedCluster, type MixedCluster } from '../bench/lib/mixed-cluster.js';
import { DEFAULT_HASH_COST } from '../bench/lib/mixed-composition.js';
import { newLedger, parseMix, runWorkload, verifyLedger } from '../bench/lib/mixed-workload.js';
import { onHosts } from '../scripts/galera.mjs';

const hosts = process.env['W3KIT_GALERA_HOSTS']?.split(',') ?? [];
const control = process.env['W3KIT_GALERA_CONTROL'];

/** Asks the test command (which owns the cluster) to kill or restart a node; resolves when done. */
async function nodeControl(action: 'kill' | 'restart', node: number): Promise<void> {
  const res = await fetch(`${control}/${action}/${node}`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`${action} node ${node}: ${res.status} ${await res.text()}`);
}

async function onNode(url: string, node: number, query: string): Promise<RowDataPacket[]> {
  const conn = await createConnection(onHosts(url, [hosts[node]!], 0));
  try {
    return (await conn.query<RowDataPacket[]>(query))[0];
  } finally {
    await conn.end();
  }
}

describe('mariadb', () => {
  describe('galera failover: a node killed mid-run', function () {
    this.timeout(180_000);
    let database: TestDatabase;
    let cluster: MixedCluster | undefined;
    /** Set while node 1 is down, so that a failed assertion still gives the later suites their third node. */
    let killed = false;

    before(async function () {
      if (hosts.length < 3 || !control) return this.skip();
      database = await createTestDatabase('mariadb');
      cluster = await startMixedCluster({ databaseUrl: database.url, galeraHosts: hosts, instances: 3, organizations: 2, users: 9, hashCost: DEFAULT_HASH_COST, connectionLimit: 6 });
    });
    after(async () => {
      if (killed) await nodeControl('restart', 1);
      await cluster?.stop();
      await database?.drop();
    });

    it('the instance on the lost node fails over without a restart, answers 503 in between, loses no acknowledged write; the node rejoins', async () => {
      const ledger = newLedger();
      const phones = { next: 0 };
      const mix = parseMix('login=1,mint_retry=3,mint_race=2');
      const load = runWorkload({ urls: cluster!.urls, actors: cluster!.actors, ledger, sms: cluster!.sms, phones, durationSeconds: 12, connections: 6, mix });
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const killedAt = Date.now();
      killed = true;
      await nodeControl('kill', 1); // the node of the second instance
      const during = await load;
      // every failure is a clean 503 (with retry-after, checked by the workload's error text) — no 500, no hang
      const statuses = Object.keys(during.errorStatuses);
      assert.deepEqual(
        statuses.filter((s) => s !== '503'),
        [],
        `errors other than 503: ${JSON.stringify(during.errorStatuses)}\n${during.errorSamples.join('\n')}`,
      );
      assert.ok(during.maxMs < 10_000, `a request took ${during.maxMs} ms`);

      // the second instance, whose node is gone, serves alone now: it failed over without a restart
      const after = await runWorkload({ urls: [cluster!.urls[1]!], actors: cluster!.actors, ledger, sms: cluster!.sms, phones, durationSeconds: 3, connections: 4, mix });
      assert.equal(after.errors, 0, after.errorSamples.join('\n'));
      assert.ok(after.requests > 0);

      const checks = await verifyLedger(database.url, ledger, cluster!.smsCount());
      assert.deepEqual(
        checks.filter((c) => c.lost > 0),
        [],
      );
      // A write in flight when its node died may have committed without its answer. Each such
      // request leaves at most one row of each kind (a mint: its idempotency key, and its token),
      // so every kind's extra rows are at most the 503s; summed over kinds they may be more.
      for (const c of checks) assert.ok(c.extra <= during.errors, `${c.what}: extra rows ${c.extra}, errors ${during.errors}`);
      const extra = Math.max(...checks.map((c) => c.extra));

      const restartedAt = Date.now();
      await nodeControl('restart', 1);
      killed = false;
      const rejoined = Date.now() - restartedAt;
      const [size] = await onNode(database.url, 1, "SHOW STATUS LIKE 'wsrep_cluster_size'");
      assert.equal(size!['Value'], '3');
      // the rejoined node has every row (causal reads: wsrep_sync_wait)
      const table = database.url.replace(/.*\//, '');
      const [onOne] = await onNode(database.url, 0, `SELECT COUNT(*) n FROM \`${table}\`.nft_tokens`);
      const [onTwo] = await onNode(database.url, 1, `SELECT COUNT(*) n FROM \`${table}\`.nft_tokens`);
      assert.equal(Number(onTwo!['n']), Number(onOne!['n']));
      // and its instance is back on it: it answers without error
      const back = await runWorkload({ urls: cluster!.urls, actors: cluster!.actors, ledger, sms: cluster!.sms, phones, durationSeconds: 2, connections: 4, mix });
      assert.equal(back.errors, 0, back.errorSamples.join('\n'));
      console.log(
        `galera failover: ${during.requests} requests during the run (${during.requestsPerSecond} req/s), errors ${JSON.stringify(during.errorStatuses)}, slowest ${during.maxMs} ms; ` +
          `${after.requests} requests on the lost node's instance afterwards, errors 0; acknowledged ${checks.map((c) => `${c.what}: ${c.acknowledged}`).join(', ')}; lost 0, unanswered writes that committed ${extra}; ` +
          `node killed ${Math.round((restartedAt - killedAt) / 1000)} s, rejoined and synced in ${(rejoined / 1000).toFixed(1)} s`,
      );
    });
  });

  describe('galera migrations: concurrent migrate from two nodes', function () {
    this.timeout(120_000);
    let database: TestDatabase | undefined;
    const kits: Kit[] = [];

    before(async function () {
      if (hosts.length < 3) return this.skip();
      database = await createTestDatabase('mariadb');
    });
    after(async () => {
      for (const kit of kits) await kit.close();
      await database?.drop();
    });

    it('two instances migrating at once on nodes 1 and 2: the DDL runs once, both end up on the latest schema', async () => {
      const open = (node: number) =>
        createKit({
          database: onHosts(database!.url, hosts, node),
          plugins: [auth(), nft()],
          logger: createLogger({ level: 'silent' }),
          config: { masterKey: 'a'.repeat(64), mode: 'test', housekeepingIntervalSeconds: 0 },
        });
      const started = await Promise.allSettled([open(0), open(1)]);
      for (const s of started) if (s.status === 'fulfilled') kits.push(s.value);
      const failed = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      assert.deepEqual(
        failed.map((f) => String(f.reason)),
        [],
      );
      const table = database!.url.replace(/.*\//, '');
      // each migration recorded once, on every node
      for (const node of [0, 1, 2]) {
        const rows = await onNode(database!.url, node, `SELECT name, COUNT(*) n FROM \`${table}\`.w3kit_core_migrations GROUP BY name`);
        assert.ok(rows.length > 0);
        assert.deepEqual(
          rows.filter((r) => Number(r['n']) !== 1),
          [],
        );
        const nftRows = await onNode(database!.url, node, `SELECT COUNT(*) n FROM \`${table}\`.w3kit_nft_migrations`);
        assert.ok(Number(nftRows[0]!['n']) > 0);
      }
      // nothing left pending, and the lock row released
      const locks = await onNode(database!.url, 2, `SELECT COUNT(*) n FROM \`${table}\`.w3kit_migration_locks`);
      assert.equal(Number(locks[0]!['n']), 0);
    });
  });
});
