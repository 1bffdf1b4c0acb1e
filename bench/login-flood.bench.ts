// A legitimate password login while 40 connections flood POST /v2/auth/auth-user with unknown
// ids (each try a memory-hard scrypt, 128 MiB), with the kit's hashing queue and without it
// (BENCH_HASH_QUEUE=off). The flood comes from 127.0.0.1 in a process of its own; the user logs
// in from 127.0.0.2, one login after another. Target (issue 11, item 10): with the queue, every
// login during the flood answers in under 2 s. Reports the user's latency quiet and under flood,
// and how many flood tries were served (401) and shed (503). SQLite; BENCH_LOGINS logins per phase (default 6).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { postFrom, startLoginFlood, type LoginFloodSummary } from '@w3kit/core/testing';
import { startServer } from './lib/harness.js';

const TARGET_MS = 2000;
const FLOOD_CONNECTIONS = 40;
const USER = { id: 'bench-user', password: 'bench-password-1' };

interface Latency {
  p50Ms: number;
  maxMs: number;
  /** Logins that did not answer 200. */
  failed: number;
}

interface Phase {
  quiet: Latency;
  flood: Latency;
  floodTries: LoginFloodSummary['statuses'];
  floodSeconds: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function logins(url: string, count: number): Promise<Latency> {
  const ms: number[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const answer = await postFrom('127.0.0.2', `${url}/v2/auth/auth-user`, USER);
    if (answer.status !== 200) failed++;
    ms.push(Math.round(answer.ms));
  }
  return { p50Ms: median(ms), maxMs: Math.max(...ms), failed };
}

async function phase(databaseUrl: string, masterKey: string, queue: 'on' | 'off', count: number): Promise<Phase> {
  const server = await startServer({ script: 'login-flood-kit.ts', env: { DATABASE_URL: databaseUrl, W3KIT_MASTER_KEY: masterKey, BENCH_HASH_QUEUE: queue } });
  try {
    await logins(server.url, 1); // warm up
    const quiet = await logins(server.url, count);
    const flood = startLoginFlood({ url: server.url, localAddress: '127.0.0.1', concurrency: FLOOD_CONNECTIONS, maxSeconds: 120 });
    const during = await flood.started
      .then(() => new Promise((done) => setTimeout(done, 1000))) // the flood has filled whatever queue there is
      .then(() => logins(server.url, count))
      .finally(() => flood.stop());
    const summary = await flood.stop();
    return { quiet, flood: during, floodTries: summary.statuses, floodSeconds: summary.seconds };
  } finally {
    await server.stop();
  }
}

export default async function loginFloodBench(): Promise<{ met: boolean }> {
  const count = Number(process.env['BENCH_LOGINS'] ?? 6);
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-bench-'));
  try {
    const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
    const masterKey = randomBytes(32).toString('hex');
    const seed = await createKit({
      database: databaseUrl,
      plugins: [auth()],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey, publicUrl: 'http://127.0.0.1:3000', mode: 'test', housekeepingIntervalSeconds: 0 },
    });
    await seed.services.accountService.createEndUser({ loginId: USER.id, password: USER.password });
    await seed.close();

    const withQueue = await phase(databaseUrl, masterKey, 'on', count);
    const withoutQueue = await phase(databaseUrl, masterKey, 'off', count);
    const met = withQueue.flood.failed === 0 && withQueue.flood.maxMs < TARGET_MS;
    const result = {
      name: 'login-flood',
      floodConnections: FLOOD_CONNECTIONS,
      loginsPerPhase: count,
      scryptCost: 17,
      targetMs: TARGET_MS,
      withQueue,
      withoutQueue,
      met,
      when: new Date().toISOString(),
    };
    const results = join(resolve(dirname(fileURLToPath(import.meta.url))), 'results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'login-flood.json'), `${JSON.stringify(result, null, 2)}\n`);

    const row = (label: string, p: Phase) =>
      `  ${label.padEnd(14)} quiet p50 ${String(p.quiet.p50Ms).padStart(5)} ms  max ${String(p.quiet.maxMs).padStart(5)} ms   ` +
      `flood p50 ${String(p.flood.p50Ms).padStart(5)} ms  max ${String(p.flood.maxMs).padStart(5)} ms  failed ${p.flood.failed}   ` +
      `flood tries ${JSON.stringify(p.floodTries)} in ${p.floodSeconds} s`;
    console.log(`\nlogin-flood (${FLOOD_CONNECTIONS} flood connections, ${count} user logins per phase, scrypt cost 17)`);
    console.log(row('hashing queue', withQueue));
    console.log(row('no queue', withoutQueue));
    console.log(`  every login under flood < ${TARGET_MS} ms with the queue: ${met ? 'met' : 'NOT MET'}`);
    return { met };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
