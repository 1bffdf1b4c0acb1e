/// <reference path="../packages/did/src/digitalbazaar.d.ts" />
// Credential verification through POST /v2/did/verify-vc (the kit: did plugin) against a bare
// Koa app calling the verification library directly with the same resolver and document
// loader: a JWT credential (JwtProof2020, ES256K, did:ethr: the Finenex document's own example) with
// did-jwt-vc, and a Data Integrity credential (eddsa-rdfc-2022, VC 2.0, did:key) with
// @digitalbazaar/vc. Neither credential has a status entry, so both sides do the same work.
// Targets: the JWT credential at least 2× the direct library (issue 17: the kit verifies ES256K
// with node:crypto on a cached issuer key); Data Integrity at least 1.3×, with the same credential
// and with 600 distinct ones (issue 17: cached canonical forms and processed contexts). Then the
// JWT credential against a peer agent, Veramo 7 behind its Express remote server
// (servers/did-verify-veramo.ts): the kit at least 2.5× its throughput (issue 17).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { createDidResolver, createDocumentLoader, did } from '@w3kit/did';
import { compare, type Comparison } from './lib/harness.js';

const TARGETS: Record<string, number> = { 'did-verify-jwt': 2.0, 'did-verify-data-integrity': 1.3, 'did-verify-data-integrity-distinct': 1.3, 'did-verify-jwt-vp': 2.0 };
const DISTINCT_CREDENTIALS = 600;
const PEER_TARGET = 2.5;

/** Creates the schema and the kit's keys once, as the server's first start would. */
async function seed(databaseUrl: string, masterKey: string): Promise<void> {
  const kit = await createKit({
    database: databaseUrl,
    plugins: [auth(), did()],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey, publicUrl: 'http://127.0.0.1:3000', mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0 },
  });
  await kit.close();
}

/** A VC 2.0 credential with an eddsa-rdfc-2022 proof by a did:key made for it. */
async function dataIntegrityCredential(n = 0): Promise<Record<string, unknown>> {
  const key = await Ed25519Multikey.generate();
  const issuer = `did:key:${key.publicKeyMultibase}`;
  key.controller = issuer;
  key.id = `${issuer}#${key.publicKeyMultibase}`;
  return vc.issue({
    credential: {
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/undefined-terms/v2'],
      type: ['VerifiableCredential', 'Profile'],
      issuer,
      validFrom: '2025-01-01T00:00:00Z',
      credentialSubject: { id: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf', name: n === 0 ? 'Hong' : `Hong ${n}`, phone: '010-1234-5678' },
    },
    suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }),
    documentLoader: createDocumentLoader(createDidResolver({ chainId: 1 })),
  });
}

// DID_VERIFY_ONLY=<part of a name>[,…]: only the comparisons whose name contains one of them
const only = process.env['DID_VERIFY_ONLY']?.split(',').filter(Boolean);
const wanted = (name: string) => !only || only.some((part) => name.includes(part));

export default async function didVerifyBench(): Promise<{ met: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-bench-'));
  const results: Comparison[] = [];
  try {
    const masterKey = randomBytes(32).toString('hex');
    const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
    await seed(databaseUrl, masterKey);
    const env = { DATABASE_URL: databaseUrl, W3KIT_MASTER_KEY: masterKey };
    const seedDocument = JSON.parse(readFileSync(new URL('../packages/did/test/fixtures/seed-examples.json', import.meta.url), 'utf8')) as { verifyVc: unknown; verifyVp: unknown };
    const credentials: [string, unknown][] = [
      ['did-verify-jwt', seedDocument.verifyVc],
      ['did-verify-data-integrity', await dataIntegrityCredential()],
    ];
    for (const [name, credential] of credentials) {
      if (!wanted(name)) continue;
      const request = { method: 'POST' as const, path: '/v2/did/verify-vc', body: JSON.stringify(credential) };
      results.push(await compare({ name, kit: { script: 'did-verify-kit.ts', env, request }, baseline: { script: 'did-verify-bare.ts', env, request }, target: TARGETS[name]! }));
    }
    if (wanted('did-verify-data-integrity-distinct')) {
      const distinct = await Promise.all(Array.from({ length: DISTINCT_CREDENTIALS }, (_, n) => dataIntegrityCredential(n + 1).then((c) => JSON.stringify(c))));
      let next = 0;
      const distinctRequest = { method: 'POST' as const, path: '/v2/did/verify-vc', body: distinct[0]!, nextBody: () => distinct[next++ % distinct.length]! };
      results.push(
        await compare({
          name: 'did-verify-data-integrity-distinct',
          kit: { script: 'did-verify-kit.ts', env, request: distinctRequest },
          baseline: { script: 'did-verify-bare.ts', env, request: distinctRequest },
          target: TARGETS['did-verify-data-integrity-distinct']!,
        }),
      );
    }
    // the Finenex document's JWT VP (holder's signature and one credential's) through verify-vp
    const vpRequest = { method: 'POST' as const, path: '/v2/did/verify-vp', body: JSON.stringify(seedDocument.verifyVp) };
    if (wanted('did-verify-jwt-vp'))
      results.push(
        await compare({
          name: 'did-verify-jwt-vp',
          kit: { script: 'did-verify-kit.ts', env, request: vpRequest },
          baseline: { script: 'did-verify-bare.ts', env, request: vpRequest },
          target: TARGETS['did-verify-jwt-vp']!,
        }),
      );
    // the peer takes the same credential as Veramo's remote API wants it: { credential }
    const kitRequest = { method: 'POST' as const, path: '/v2/did/verify-vc', body: JSON.stringify(seedDocument.verifyVc) };
    const peerRequest = { method: 'POST' as const, path: '/agent/verifyCredential', body: JSON.stringify({ credential: seedDocument.verifyVc }) };
    if (wanted('did-verify-jwt-peer'))
      results.push(
        await compare({
          name: 'did-verify-jwt-peer',
          kit: { script: 'did-verify-kit.ts', env, request: kitRequest },
          baseline: { script: 'did-verify-veramo.ts', env, request: peerRequest },
          target: PEER_TARGET,
        }),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { met: results.every((r) => r.met !== false) };
}
