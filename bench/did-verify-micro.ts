/// <reference path="../packages/did/src/digitalbazaar.d.ts" />
// Data Integrity verification in one process, no HTTP: the kit's verifyDataIntegrityCredential
// against @digitalbazaar/vc's verifyCredential called directly with the same document loader,
// on the same eddsa-rdfc-2022 credentials, in alternating batches. Prints CPU time per
// verification (process.cpuUsage, steadier than wall-clock on a shared machine) and the ratio.
// `node --import tsx bench/did-verify-micro.ts` (MICRO_CREDENTIALS, 1; MICRO_CALLS per batch, 300; MICRO_ROUNDS, 4;
// MICRO_ONLY=kit or library: that side alone, for `node --cpu-prof`).
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { createDidResolver } from '../packages/did/src/did-resolver.js';
import { createDocumentLoader } from '../packages/did/src/document-loader.js';
import { verifyDataIntegrityCredential } from '../packages/did/src/data-integrity.js';

const calls = Number(process.env['MICRO_CALLS'] ?? 300);
const rounds = Number(process.env['MICRO_ROUNDS'] ?? 4);
const documentLoader = createDocumentLoader(createDidResolver({ chainId: 1 }));

/** A VC 2.0 credential with an eddsa-rdfc-2022 proof by a did:key of its own. */
async function credential(n: number): Promise<string> {
  const key = await Ed25519Multikey.generate();
  const issuer = `did:key:${key.publicKeyMultibase}`;
  key.controller = issuer;
  key.id = `${issuer}#${key.publicKeyMultibase}`;
  const issued = await vc.issue({
    credential: {
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/undefined-terms/v2'],
      type: ['VerifiableCredential', 'Profile'],
      issuer,
      validFrom: '2025-01-01T00:00:00Z',
      credentialSubject: { id: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf', name: `Hong ${n}`, phone: '010-1234-5678' },
    },
    suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }),
    documentLoader,
  });
  return JSON.stringify(issued);
}
// MICRO_CREDENTIALS distinct credentials (by distinct keys), verified in turn: 1 (the default)
// is the HTTP benchmark's case, the same credential every time; more than CANONICAL_CACHE_SIZE
// makes every canonicalization of the kit's a miss
const bodies = await Promise.all(Array.from({ length: Number(process.env['MICRO_CREDENTIALS'] ?? 1) }, (_, n) => credential(n)));
let next = 0;
const body = () => bodies[next++ % bodies.length]!;

// each call parses the body anew, as a server does, so no side holds on to a parsed object
const sides: Record<string, () => Promise<boolean>> = {
  kit: async () => (await verifyDataIntegrityCredential(JSON.parse(body()) as Record<string, unknown>, documentLoader, new Date())).length === 0,
  library: async () => (await vc.verifyCredential({ credential: JSON.parse(body()), suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader })).verified,
};

async function batch(verify: () => Promise<boolean>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) if (!(await verify())) throw new Error('a verification failed');
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

// MICRO_ONLY=kit|library runs that side alone (for a --cpu-prof of one side)
const only = process.env['MICRO_ONLY'];
if (only) {
  for (let round = 0; round <= rounds; round++) await batch(sides[only]!);
  process.exit(0);
}
for (const verify of Object.values(sides)) await batch(verify); // warm-up
const perCall: Record<string, number[]> = { kit: [], library: [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['kit', 'library'] : ['library', 'kit'];
  for (const side of order) perCall[side]!.push(await batch(sides[side]!));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kit = median(perCall['kit']!);
const library = median(perCall['library']!);
console.log(`CPU per verification (µs, ${rounds} rounds × ${calls}): kit ${perCall['kit']!.map(Math.round).join(' / ')}, library ${perCall['library']!.map(Math.round).join(' / ')}`);
console.log(`medians: kit ${Math.round(kit)} µs, library ${Math.round(library)} µs: kit ${(library / kit).toFixed(2)}× the library's throughput per CPU`);
