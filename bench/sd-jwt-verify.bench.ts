// SD-JWT VC presentation verification over HTTP: an OpenID4VP direct_post answer through
// POST /oid4vp/responses/:id (the kit: auth + a stand-in issuer + oid4vp — form body, the request
// row, the library's response parsing, the issuer signature, disclosures, key binding (aud, nonce,
// iat, sd_hash), status, the account, the replay INSERT, the conditional UPDATE that completes the
// login) against a bare Koa app calling @sd-jwt/core's verify on the same presentations. A request
// takes one answer, so every kit request answers another request started and fetched before the
// run (as siwe.bench.ts does for nonces). SQLite.
// Target (issue 18): the kit sustains at least 80% of the direct library throughput.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { oid4vp } from '@w3kit/oid4vp';
import { compare, type RequestSpec } from './lib/harness.js';
import { benchCredential, benchIssuerPlugin, SD_JWT_BENCH, type BenchKeys } from './servers/sd-jwt-verify-setup.js';

const TARGET = 0.8;

interface PooledAnswer {
  path: string;
  body: string;
}

/** `count` requests started and fetched through the plugin, each with its presentation made by the holder. */
async function answerPool(databaseUrl: string, masterKey: string, keys: BenchKeys, count: number): Promise<PooledAnswer[]> {
  const kit = await createKit({
    database: databaseUrl,
    plugins: [auth(), benchIssuerPlugin(keys), oid4vp(SD_JWT_BENCH.oid4vpOptions)],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey, mode: 'test', housekeepingIntervalSeconds: 0, publicUrl: SD_JWT_BENCH.publicUrl },
  });
  try {
    const account = await kit.services.accountService.createEndUser({ loginId: 'bench-holder', password: 'correct horse battery' });
    const holderKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential = await benchCredential(keys, account.id, holderKey.publicKey.export({ format: 'jwk' }));
    const holder = new SDJwtVcInstance({ hasher: digest, hashAlg: 'sha-256', kbSigner: await ES256.getSigner(holderKey.privateKey.export({ format: 'jwk' })), kbSignAlg: 'ES256' });
    const service = kit.services.oid4vpService;
    const answers: PooledAnswer[] = [];
    for (let i = 0; i < count; i++) {
      const started = await service.start({ flow: 'cross_device', responseMode: 'direct_post' });
      const object = await service.requestObject(started.transactionId);
      const request = JSON.parse(Buffer.from(object.split('.')[1]!, 'base64url').toString('utf8')) as { nonce: string; response_uri: string };
      const vp = await holder.present(credential, { sub: true }, { kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: service.identity.clientId, nonce: request.nonce } } });
      answers.push({ path: new URL(request.response_uri).pathname, body: new URLSearchParams({ vp_token: JSON.stringify({ account: [vp] }) }).toString() });
    }
    return answers;
  } finally {
    await kit.close();
  }
}

/** Request i posts answer i to its own response_uri: each pooled request is answered once, in order. */
function answerRequests(answers: PooledAnswer[]): RequestSpec {
  let next = 0;
  return { method: 'POST', path: answers[0]!.path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, nextRequest: () => answers[next++ % answers.length]! };
}

export default async function sdJwtVerifyBench(): Promise<{ met: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-bench-'));
  try {
    const masterKey = randomBytes(32).toString('hex');
    const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
    const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const { kty, crv, x, y } = issuerKey;
    const keys: BenchKeys = { issuerPrivate: issuerKey, issuerPublic: { kty: kty!, crv: crv!, x: x!, y: y! } };
    // enough answers for the warm-up and every round at up to BENCH_MAX_RPS (default 1500) per second:
    // an answer used twice is a cheap 400, so a pool that ran out would flatter the kit
    const seconds = 1 + Number(process.env['BENCH_ROUNDS'] ?? 3) * Number(process.env['BENCH_DURATION'] ?? 5);
    const pool = Number(process.env['BENCH_ANSWER_POOL'] ?? seconds * Number(process.env['BENCH_MAX_RPS'] ?? 1500));
    const started = Date.now();
    const answers = await answerPool(databaseUrl, masterKey, keys, pool);
    console.log(`sd-jwt-verify: ${answers.length} requests started, fetched and presented in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const env = { DATABASE_URL: databaseUrl, W3KIT_MASTER_KEY: masterKey, BENCH_ISSUER_JWK: JSON.stringify(issuerKey) };
    const result = await compare({
      name: 'sd-jwt-verify',
      kit: { script: 'sd-jwt-verify-kit.ts', env, request: answerRequests(answers) },
      baseline: { script: 'sd-jwt-verify-bare.ts', env, request: answerRequests(answers) },
      target: TARGET,
    });
    return { met: result.met === true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
