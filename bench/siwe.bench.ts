// Sign-In with Ethereum through POST /v2/auth/siwe/verify (the kit: auth + siwe) — JSON body,
// validation, the EIP-4361 checks, the rate-limit rules, the nonce used up (a conditional DELETE),
// ecrecover, the account lookup, a new session and its access token — against a bare Koa app
// calling viem's verifySiweMessage directly. A nonce is single-use, so every kit request carries
// another message whose nonce was issued into the database, and signed, before the run (as
// attestations.bench.ts does for codes); the baseline verifies the same messages. SQLite.
// Target (issue 15): the kit sustains at least 80% of the direct library throughput.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { siwe } from '@w3kit/siwe';
import { privateKeyToAccount } from 'viem/accounts';
import { compare, type RequestSpec } from './lib/harness.js';
import { benchMessage, SIWE_BENCH } from './servers/siwe-setup.js';

const TARGET = 0.8;

/** `count` signed messages, each with a nonce the kit issued into the database; the address signed up once. */
async function messagePool(databaseUrl: string, masterKey: string, count: number): Promise<string[]> {
  const account = privateKeyToAccount(SIWE_BENCH.privateKey as `0x${string}`);
  const kit = await createKit({
    database: databaseUrl,
    plugins: [auth(), siwe(SIWE_BENCH.options)],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey, mode: 'test', housekeepingIntervalSeconds: 0, publicUrl: 'http://127.0.0.1:3000' },
  });
  try {
    const bodies: string[] = [];
    const batch = 100;
    for (let start = 0; start < count; start += batch) {
      const nonces = await Promise.all(Array.from({ length: Math.min(batch, count - start) }, () => kit.services.siweService.issueNonce()));
      for (const { nonce } of nonces) {
        const message = benchMessage(account.address, nonce);
        bodies.push(JSON.stringify({ message, signature: await account.signMessage({ message }) }));
      }
    }
    // the first sign-in signs the address up: the run measures sign-ins of an existing account
    const first = JSON.parse(bodies.shift()!) as { message: string; signature: string };
    await kit.services.siweService.signIn(first);
    return bodies;
  } finally {
    await kit.close();
  }
}

/** Request i posts message i: each pooled nonce is used once, in order. */
function verifyRequests(bodies: string[]): RequestSpec {
  let next = 0;
  return { method: 'POST', path: '/v2/auth/siwe/verify', nextBody: () => bodies[next++ % bodies.length]! };
}

export default async function siweBench(): Promise<{ met: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-bench-'));
  try {
    const masterKey = randomBytes(32).toString('hex');
    const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
    // enough nonces for the warm-up and every round at up to BENCH_MAX_RPS (default 1500) sign-ins per second
    const seconds = 1 + Number(process.env['BENCH_ROUNDS'] ?? 3) * Number(process.env['BENCH_DURATION'] ?? 5);
    const pool = Number(process.env['BENCH_NONCE_POOL'] ?? seconds * Number(process.env['BENCH_MAX_RPS'] ?? 1500));
    const started = Date.now();
    const bodies = await messagePool(databaseUrl, masterKey, pool + 1);
    console.log(`siwe-verify: ${bodies.length} nonces issued and messages signed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const env = { DATABASE_URL: databaseUrl, W3KIT_MASTER_KEY: masterKey };
    const result = await compare({
      name: 'siwe-verify',
      kit: { script: 'siwe-kit.ts', env, request: verifyRequests(bodies) },
      baseline: { script: 'siwe-bare.ts', env, request: verifyRequests(bodies) },
      target: TARGET,
    });
    return { met: result.met === true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
