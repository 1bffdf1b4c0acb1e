// NFT queries at scale on MariaDB (issue 6) or PostgreSQL (BENCH_DATABASE=postgres): N tokens (default 1,000,000; NFT_BENCH_TOKENS)
// seeded through the store, then each query through HTTP under 16 connections: held-by-wallet
// page 1 and page 500, minted-by-me, public search on category+brand, fetch by id.
// Targets: p99 < 25 ms for page 1 of each query; page 500 within 3x page 1. Mint throughput
// over HTTP (with the EIP-712 signature) is reported beside direct single-row store inserts.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NftRecord } from '@w3kit/nft';
import { openBenchDatabase } from './lib/bench-database.js';
import { measure, startServer, type Measurement, type RequestSpec } from './lib/harness.js';
import { seed, seedKit } from './nft-seed.js';

const P99_TARGET_MS = 25;
const DEEP_PAGE_FACTOR = 3;

async function directInserts(insert: (t: NftRecord) => Promise<void>, template: NftRecord, connections: number, seconds: number): Promise<{ insertsPerSecond: number; inserts: number }> {
  const deadline = Date.now() + seconds * 1000;
  let inserts = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < deadline) {
        await insert({ ...template, tokenId: `0x${randomBytes(32).toString('hex')}`, createdAt: new Date() });
        inserts++;
      }
    }),
  );
  return { insertsPerSecond: Math.round(inserts / seconds), inserts };
}

export default async function nftBench(): Promise<{ met: boolean }> {
  const total = Number(process.env['NFT_BENCH_TOKENS'] ?? 1_000_000);
  const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
  const duration = Number(process.env['BENCH_DURATION'] ?? 5);
  // A pool as large as the load's concurrency, so requests measure queries, not a wait for a connection.
  const bench = await openBenchDatabase('nft', { connectionLimit: connections });
  if (!bench) return { met: true };
  const databaseUrl = bench.url;
  const masterKey = randomBytes(32).toString('hex');
  try {
    const kit = await seedKit(databaseUrl, masterKey);
    const seeded = await seed(kit, total, (line) => console.log(`  ${line}`));
    console.log(`seeded ${seeded.tokens} tokens in ${seeded.seconds} s (${seeded.rowsPerSecond} rows/s, batches of 500)`);
    if (bench.engine === 'postgres') {
      // after a bulk load, statistics and the visibility map first (autovacuum would get there later;
      // a deployment that bulk-loads runs it too): deep pages skip rows with index-only scans
      const { sql } = await import('@w3kit/core');
      await sql`vacuum analyze`.execute(kit.services.db);
    }
    const template = (await kit.services.nftStore.findById(seeded.sampleTokenId))!;
    const direct = await directInserts((t) => kit.services.nftStore.insert(t), { ...template, holderAccountId: randomUUID() }, connections, duration);
    await kit.close();

    const server = await startServer({ script: 'nft-kit.ts', env: { DATABASE_URL: databaseUrl, W3KIT_MASTER_KEY: masterKey } });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const scenarios: Record<string, RequestSpec> = {
      'held_by page 1': { path: `/rest/v1/nft/held_by_id_wallet/${seeded.holder.address}?perPageItemNum=10&pageNum=1`, headers: bearer(seeded.holder.token) },
      'held_by page 500': { path: `/rest/v1/nft/held_by_id_wallet/${seeded.holder.address}?perPageItemNum=10&pageNum=500`, headers: bearer(seeded.holder.token) },
      'minted_by_me page 1': { path: '/rest/v1/nft/minted_by_me?perPageItemNum=10&pageNum=1', headers: bearer(seeded.organization.token) },
      'search category+brand page 1': {
        method: 'POST',
        path: '/rest/v1/nft/search?perPageItemNum=10&pageNum=1',
        headers: bearer(seeded.viewer.token),
        body: JSON.stringify(seeded.search),
      },
      'fetch by id': { path: `/rest/v1/nft/${seeded.sampleTokenId}`, headers: bearer(seeded.holder.token) },
    };
    const results: Record<string, Measurement> = {};
    try {
      for (const [name, request] of Object.entries(scenarios)) {
        await measure(server.url, request, connections, 1, server.child.pid); // warm-up
        results[name] = await measure(server.url, request, connections, duration, server.child.pid);
      }
      results['mint (HTTP, EIP-712 signed)'] = await measure(
        server.url,
        {
          method: 'POST',
          path: `/rest/v1/nft/mint/to/${seeded.holder.address}`,
          headers: bearer(seeded.organization.token),
          body: JSON.stringify({ metadata: { static: template.metadata.static, dynamic: { category: 'minted', brand: 'bench' } } }),
        },
        connections,
        duration,
        server.child.pid,
      );
    } finally {
      await server.stop();
    }

    const firstPages = ['held_by page 1', 'minted_by_me page 1', 'search category+brand page 1', 'fetch by id'];
    const checks = {
      p99UnderTarget: firstPages.every((n) => results[n]!.latencyP99Ms < P99_TARGET_MS),
      deepPageWithin3x: results['held_by page 500']!.latencyP99Ms <= DEEP_PAGE_FACTOR * Math.max(1, results['held_by page 1']!.latencyP99Ms),
      noErrors: Object.values(results).every((m) => m.errors === 0 && m.non2xx === 0),
    };
    const output = {
      engine: bench.engine,
      tokens: total,
      connections,
      durationSeconds: duration,
      seeding: seeded,
      directInserts: direct,
      http: results,
      targets: { p99Ms: P99_TARGET_MS, deepPageFactor: DEEP_PAGE_FACTOR },
      checks,
      when: new Date().toISOString(),
    };
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, bench.engine === 'mariadb' ? 'nft.json' : `nft-${bench.engine}.json`),
      `${JSON.stringify({ ...output, seeding: { ...seeded, holder: undefined, organization: undefined, viewer: undefined } }, null, 2)}\n`,
    );
    console.log(`\nnft at ${total} tokens (${bench.label}, ${connections} connections, ${duration} s each)`);
    for (const [name, m] of Object.entries(results)) {
      console.log(
        `  ${name.padEnd(30)} ${String(m.requestsPerSecond).padStart(7)} req/s   p50 ${String(m.latencyP50Ms).padStart(3)} ms   p99 ${String(m.latencyP99Ms).padStart(3)} ms   errors ${m.errors}   non-2xx ${m.non2xx}${m.cpuMsPerRequest === undefined ? '' : `   kit CPU ${m.cpuMsPerRequest} ms/request`}`,
      );
    }
    console.log(`  ${'direct store insert (1 row)'.padEnd(30)} ${String(direct.insertsPerSecond).padStart(7)} rows/s`);
    console.log(
      `  p99 < ${P99_TARGET_MS} ms on every page 1: ${checks.p99UnderTarget ? 'met' : 'NOT MET'}; page 500 within ${DEEP_PAGE_FACTOR}x page 1: ${checks.deepPageWithin3x ? 'met' : 'NOT MET'}`,
    );
    return { met: checks.p99UnderTarget && checks.deepPageWithin3x && checks.noErrors };
  } finally {
    await bench.close();
  }
}
