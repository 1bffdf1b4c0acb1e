// POST /api/attestations/phone/verify end to end through the kit — JSON body, validation, E.164
// normalization, the code check (one UPDATE: attempt slot and claim), signing, access log — against
// a bare Koa app that signs the same claim with ethers directly. A code is single-use, so every
// request carries another phone number whose code was issued into the database before the run
// (bench/README.md says why). SQLite always; MariaDB too when MYSQL_URL is set.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attestations, CLAIM_DATA, CLAIM_TYPES, CODE_PURPOSES, createClaimSigner } from '@w3kit/attestations';
import { createKit, createLogger, cryptoRandom } from '@w3kit/core';
import { getBytes, keccak256, solidityPackedKeccak256, toUtf8Bytes, Wallet } from 'ethers';
import { compare, type Comparison, type RequestSpec } from './lib/harness.js';

const CODE = '123456';
const IDENTITY = '0xc741715D55De72bF12461760BaAF97E0468e7b86';
/** Valid, distinct US numbers: +1 415 200-0000 and up. */
const phoneNumber = (i: number) => `+1415${2_000_000 + i}`;

/** Codes for `count` phone numbers, issued as generate-code issues them, all equal to CODE (known to the load generator). */
async function issueCodePool(databaseUrl: string, masterKey: string, signerKey: string, count: number): Promise<void> {
  const kit = await createKit({
    database: databaseUrl,
    plugins: [attestations({ signerKey })],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey, mode: 'test', housekeepingIntervalSeconds: 0 },
    // only the code digits are fixed; handles and everything else stay random
    services: { random: { ...cryptoRandom, digits: (length: number) => CODE.slice(0, length) } },
  });
  try {
    const batch = 50;
    for (let start = 0; start < count; start += batch) {
      const issues = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        issues.push(kit.services.oneTimeCodes.issue({ purpose: CODE_PURPOSES.phone, subject: phoneNumber(i), ttlSeconds: 3600, maxAttempts: 5 }));
      }
      await Promise.all(issues);
    }
  } finally {
    await kit.close();
  }
}

/** Request i verifies phone number i: each pooled code is used once, in order. */
function verifyRequests(): RequestSpec {
  let next = 0;
  return {
    method: 'POST',
    path: '/api/attestations/phone/verify',
    nextBody: () => JSON.stringify({ identity: IDENTITY, phone: phoneNumber(next++), code: CODE }),
  };
}

async function run(name: string, databaseUrl: string): Promise<Comparison> {
  const masterKey = randomBytes(32).toString('hex');
  const signerKey = `0x${randomBytes(32).toString('hex')}`;
  // enough codes for the warm-up and every round at up to BENCH_MAX_RPS (default 6000) requests per second
  const seconds = 1 + Number(process.env['BENCH_ROUNDS'] ?? 3) * Number(process.env['BENCH_DURATION'] ?? 5);
  const pool = Number(process.env['BENCH_CODE_POOL'] ?? seconds * Number(process.env['BENCH_MAX_RPS'] ?? 6000));
  const started = Date.now();
  await issueCodePool(databaseUrl, masterKey, signerKey, pool);
  console.log(`${name}: ${pool} codes issued in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const env = { DATABASE_URL: databaseUrl, W3KIT_MASTER_KEY: masterKey, ATTESTATION_SIGNER_KEY: signerKey };
  return compare({
    name,
    kit: { script: 'attestations-kit.ts', env, request: verifyRequests() },
    baseline: { script: 'attestations-bare.ts', env, request: verifyRequests() },
    // issue 17: a phone attestation at ≥ 0.85 of signing the same claim directly
    target: 0.85,
  });
}

/** The median of a list of numbers. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The signature alone, in this process: the kit's claim signer (noble on the parsed key) against
 * ethers' ABI encoder and `Wallet.signMessage` of the same claim (what the baseline server does), on
 * the same identities; CPU microseconds per signature (user + system), the median of 5 batches.
 */
async function signingMicroBenchmark(): Promise<{ kitCpuUs: number; ethersCpuUs: number }> {
  const key = `0x${randomBytes(32).toString('hex')}`;
  const signer = createClaimSigner(key);
  const wallet = new Wallet(key);
  const identities = Array.from({ length: 500 }, () => `0x${randomBytes(20).toString('hex')}`);
  const perSignature = async (sign: (identity: string) => Promise<string>) => {
    for (const identity of identities.slice(0, 100)) await sign(identity); // warm-up: JIT, the base point's table
    const batches: number[] = [];
    for (let b = 0; b < 5; b++) {
      const before = process.cpuUsage();
      for (const identity of identities) await sign(identity);
      const used = process.cpuUsage(before);
      batches.push((used.user + used.system) / identities.length);
    }
    return Math.round(median(batches));
  };
  const kit = (identity: string) => signer.sign({ identity, claimType: CLAIM_TYPES.phone, data: CLAIM_DATA.phone });
  const dataHash = keccak256(toUtf8Bytes(CLAIM_DATA.phone));
  const ethers = (identity: string) => wallet.signMessage(getBytes(solidityPackedKeccak256(['address', 'uint256', 'bytes32'], [identity, CLAIM_TYPES.phone, dataHash])));
  if ((await kit(identities[0]!)) !== (await ethers(identities[0]!))) throw new Error('attestations: the kit and ethers sign differently');
  const result = { kitCpuUs: await perSignature(kit), ethersCpuUs: await perSignature(ethers) };
  console.log(`attestations: a phone claim's signature, CPU per signature: kit (noble, key parsed once) ${result.kitCpuUs} µs, ethers Wallet.signMessage ${result.ethersCpuUs} µs`);
  return result;
}

export default async function attestationsBench(): Promise<{ met?: boolean }> {
  await signingMicroBenchmark();
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-bench-'));
  try {
    const sqlite = await run('attestations-phone-verify-sqlite', `sqlite:${join(dir, 'bench.db')}`);
    const mysqlUrl = process.env['MYSQL_URL'];
    if (!mysqlUrl) {
      console.log('attestations-phone-verify-mariadb: SKIPPED (set MYSQL_URL to run it)');
      return { met: sqlite.met };
    }
    const { createConnection } = await import('mysql2/promise');
    const admin = await createConnection(mysqlUrl);
    const database = `w3kit_bench_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const mariadb = await run('attestations-phone-verify-mariadb', `${mysqlUrl.replace(/\/$/, '')}/${database}`);
      return { met: sqlite.met === true && mariadb.met === true };
    } finally {
      await admin.query(`DROP DATABASE ${database}`);
      await admin.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
