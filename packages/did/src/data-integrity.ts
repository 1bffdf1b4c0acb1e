import { createHash } from 'node:crypto';
import type { Signer } from '@digitalbazaar/data-integrity';
import type * as vc from '@digitalbazaar/vc';
import { withCanonicalCache } from './canonical-cache.js';
import type { DocumentLoader } from './document-loader.js';
import { withCachedEd25519Keys } from './ed25519-key-cache.js';
import { classifyError, problem, type PresentationProofCheck, type Problem, type ProblemCode, type ProofFormat } from './verification.js';

export type DataIntegrityFormat = Exclude<ProofFormat, 'jwt'>;

type Json = Record<string, unknown>;

const V1 = 'https://www.w3.org/2018/credentials/v1';
const V2 = 'https://www.w3.org/ns/credentials/v2';
/** Gives a credential an `@vocab` (neither VC context has one), so claims like `name` need no context of their own. */
export const UNDEFINED_TERMS_CONTEXT = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
export const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';
export const STATUS_LIST_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';
export const CREDENTIALS_CONTEXT = { '1.1': V1, '2.0': V2 } as const;

/** An XSD dateTime to the second (`2026-01-01T00:00:00Z`), as credentials carry their dates. */
export const xsdDateTime = (at: Date): string => new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The data model of a credential or presentation by its first context, or null. */
export function dataModelOf(document: Json): '1.1' | '2.0' | null {
  const first = ([] as unknown[]).concat(document['@context'] ?? [])[0];
  return first === V1 ? '1.1' : first === V2 ? '2.0' : null;
}

function proofsOf(document: Json): Json[] {
  return ([] as unknown[]).concat(document['proof'] ?? []).filter((p): p is Json => !!p && typeof p === 'object');
}

/** The Data Integrity format of one proof, or null when the kit does not verify its suite. */
function formatOfProof(proof: Json): DataIntegrityFormat | null {
  if (proof['type'] === 'Ed25519Signature2020') return 'Ed25519Signature2020';
  if (proof['type'] === 'DataIntegrityProof' && (proof['cryptosuite'] === 'eddsa-rdfc-2022' || proof['cryptosuite'] === 'ecdsa-rdfc-2019')) return proof['cryptosuite'];
  return null;
}

/** The Data Integrity format of a document's first proof the kit verifies, or null when it has none. */
export function dataIntegrityFormatOf(document: Json): DataIntegrityFormat | null {
  for (const proof of proofsOf(document)) {
    const format = formatOfProof(proof);
    if (format) return format;
  }
  return null;
}

/**
 * The JSON-LD stack (vc, jsonld, rdf-canonize, the suites and their HTTP client) is loaded on
 * the first Data Integrity issue or verification, not at start: it is about a fifth of the
 * server's start time and resident memory, and many deployments only see JWT credentials.
 */
type Libraries = {
  vc: typeof import('@digitalbazaar/vc');
  DataIntegrityProof: typeof import('@digitalbazaar/data-integrity').DataIntegrityProof;
  Ed25519Signature2020: typeof import('@digitalbazaar/ed25519-signature-2020').Ed25519Signature2020;
  eddsaRdfc2022: typeof import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite').cryptosuite;
  /** The same suite verifying with node:crypto on cached keys (ed25519-key-cache.ts) and cached canonical forms (canonical-cache.ts). */
  eddsaRdfc2022Verifying: typeof import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite').cryptosuite;
  ecdsaRdfc2019: typeof import('@digitalbazaar/ecdsa-rdfc-2019-cryptosuite').cryptosuite;
  /** The same suite with cached canonical forms. */
  ecdsaRdfc2019Verifying: typeof import('@digitalbazaar/ecdsa-rdfc-2019-cryptosuite').cryptosuite;
};
let libraries: Promise<Libraries> | undefined;
function dataIntegrityLibraries(): Promise<Libraries> {
  libraries ??= Promise.all([
    import('@digitalbazaar/vc'),
    import('@digitalbazaar/data-integrity'),
    import('@digitalbazaar/ed25519-signature-2020'),
    import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite'),
    import('@digitalbazaar/ecdsa-rdfc-2019-cryptosuite'),
    import('@digitalbazaar/ed25519-multikey'),
  ]).then(([vcModule, dataIntegrity, ed25519, eddsa, ecdsa, multikey]) => ({
    vc: vcModule,
    DataIntegrityProof: dataIntegrity.DataIntegrityProof,
    Ed25519Signature2020: ed25519.Ed25519Signature2020,
    eddsaRdfc2022: eddsa.cryptosuite,
    eddsaRdfc2022Verifying: withCanonicalCache(withCachedEd25519Keys(eddsa.cryptosuite as Parameters<typeof withCachedEd25519Keys>[0], multikey.from)),
    ecdsaRdfc2019: ecdsa.cryptosuite,
    ecdsaRdfc2019Verifying: withCanonicalCache(ecdsa.cryptosuite),
  }));
  return libraries;
}

function signingSuite(lib: Libraries, format: DataIntegrityFormat, signer: Signer, date: Date) {
  if (format === 'Ed25519Signature2020') return new lib.Ed25519Signature2020({ signer, date });
  return new lib.DataIntegrityProof({ signer, date, cryptosuite: format === 'eddsa-rdfc-2022' ? lib.eddsaRdfc2022 : lib.ecdsaRdfc2019 });
}

// Suites keep per-document state while they verify; a fresh set per verification keeps them apart.
const verificationSuites = (lib: Libraries) => [
  new lib.DataIntegrityProof({ cryptosuite: lib.eddsaRdfc2022Verifying }),
  new lib.DataIntegrityProof({ cryptosuite: lib.ecdsaRdfc2019Verifying }),
  new lib.Ed25519Signature2020(),
];

/**
 * Fresh suites that also keep, for every proof whose signature verifies, the signing input the
 * suite computed (hash of the canonical proof options and of the canonical document): what the
 * signer signed, whatever bytes or encoding its proofValue has.
 */
function recordingSuites(lib: Libraries, signed: Map<object, Uint8Array>) {
  const suites = verificationSuites(lib);
  for (const suite of suites) {
    const verify = suite.verifySignature.bind(suite);
    suite.verifySignature = async (options) => {
      const valid = await verify(options);
      if (valid) signed.set(options.proof, options.verifyData);
      return valid;
    };
  }
  return suites;
}

/** Contexts a credential of the format needs beside the data model's own (1.1 has no Data Integrity or Ed25519 terms). */
export function suiteContexts(format: DataIntegrityFormat, model: '1.1' | '2.0'): string[] {
  return format === 'Ed25519Signature2020' ? [ED25519_2020_CONTEXT] : model === '1.1' ? ['https://w3id.org/security/data-integrity/v2'] : [];
}

/** Signs a credential with a Data Integrity proof. Throws (a JSON-LD or data model error) when it cannot be signed. */
export async function issueDataIntegrityCredential(credential: Json, format: DataIntegrityFormat, signer: Signer, loader: DocumentLoader, now: Date): Promise<Json> {
  const lib = await dataIntegrityLibraries();
  return lib.vc.issue({ credential: structuredClone(credential), suite: signingSuite(lib, format, signer, now), documentLoader: loader, now });
}

/** Signs a presentation (authentication purpose, with challenge and domain). */
export async function signDataIntegrityPresentation(
  presentation: Json,
  format: DataIntegrityFormat,
  signer: Signer,
  loader: DocumentLoader,
  options: { challenge: string; domain?: string; now: Date },
): Promise<Json> {
  const lib = await dataIntegrityLibraries();
  return lib.vc.signPresentation({
    presentation: structuredClone(presentation),
    suite: signingSuite(lib, format, signer, options.now),
    documentLoader: loader,
    challenge: options.challenge,
    ...(options.domain ? { domain: options.domain } : {}),
  });
}

const firstError = (result: vc.VerifyResult): unknown => result.results?.find((r) => !r.verified && r.error)?.error ?? result.error;

type Relationship = 'authentication' | 'assertionMethod';

/**
 * Proofs a document may carry. Each costs a canonicalization and a signature check, and no kit
 * flow makes more than one; the Finenex routes' schema allows 8 at the top level, and this bounds
 * the proof sets of credentials inside a presentation too.
 */
export const MAX_PROOFS = 8;

const idOf = (value: unknown): string | null =>
  typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as Json)['id'] === 'string' ? ((value as Json)['id'] as string) : null;

/**
 * The rule of a proof set, which jsonld-signatures does not apply (it accepts a document when
 * any one proof verifies, and leaves out proofs of a suite or purpose it does not match): every
 * proof is of a suite the kit verifies, for `relationship`, by a verification method that the
 * controller's (the holder's, the issuer's) DID document lists under `relationship`. Checked
 * before any signature, from the already cached DID document, so a forged proof set costs no
 * canonicalization. The signatures are checked after, and each must verify.
 */
async function proofSetProblem(proofs: unknown[], controller: string, relationship: Relationship, loader: DocumentLoader): Promise<Problem | null> {
  const role = relationship === 'authentication' ? 'holder' : 'issuer';
  const mismatch: ProblemCode = relationship === 'authentication' ? 'SIGNATURE_INVALID' : 'ISSUER_MISMATCH';
  if (proofs.length === 0) return problem('UNSUPPORTED_PROOF', 'the document has no proof');
  if (proofs.length > MAX_PROOFS) return problem('MALFORMED', `the document has ${proofs.length} proofs; at most ${MAX_PROOFS} are verified`);
  if (!controller.startsWith('did:')) return problem('DID_UNRESOLVABLE', `the ${role} ${controller.slice(0, 200)} is not a DID`);
  let document: Json;
  try {
    document = (await loader(controller)).document as Json;
  } catch (error) {
    return classifyError(error);
  }
  const authorized = new Set(
    ([] as unknown[]).concat(document[relationship] ?? []).map((m) => {
      const id = idOf(m);
      return id?.startsWith('#') ? `${controller}${id}` : id;
    }),
  );
  for (const [i, proof] of proofs.entries()) {
    if (!proof || typeof proof !== 'object' || Array.isArray(proof)) return problem('MALFORMED', `proof[${i}] is not an object`);
    const p = proof as Json;
    if (!formatOfProof(p)) return problem('UNSUPPORTED_PROOF', `proof[${i}] is of a type this server does not verify (${String(p['type']).slice(0, 64)})`);
    if (p['proofPurpose'] !== relationship) return problem('UNSUPPORTED_PROOF', `proof[${i}] is for ${String(p['proofPurpose']).slice(0, 64)}, not ${relationship}`);
    const method = idOf(p['verificationMethod']);
    if (!method || !authorized.has(method)) {
      return problem(mismatch, `proof[${i}] is made by ${String(method).slice(0, 200)}, which the ${role} ${controller} does not authorize for ${relationship}`);
    }
  }
  return null;
}

/** Why not every proof verified, or null when each did (jsonld-signatures reports only the proofs it matched). */
function unverifiedProof(result: vc.VerifyResult | undefined, error: unknown, proofs: number): Problem | null {
  if (!result?.verified) return classifyError(result ? firstError(result) : error);
  const failed = result.results?.find((r) => !r.verified);
  if (failed) return classifyError(failed.error);
  if (result.results?.length !== proofs) return problem('UNSUPPORTED_PROOF', `${result.results?.length ?? 0} of ${proofs} proofs were verified`);
  return null;
}

/**
 * Verifies a credential's Data Integrity proofs and validity period: every proof must verify
 * and be made by a key its issuer authorizes for assertionMethod. Status is not checked here:
 * the credential service checks it for every format alike.
 */
export async function verifyDataIntegrityCredential(credential: Json, loader: DocumentLoader, now: Date): Promise<Problem[]> {
  const proofs = ([] as unknown[]).concat(credential['proof'] ?? []);
  const issuer = idOf(credential['issuer']);
  if (!issuer) return [problem('MALFORMED', 'the credential names no issuer')];
  const refused = await proofSetProblem(proofs, issuer, 'assertionMethod', loader);
  if (refused) return [refused];
  try {
    const lib = await dataIntegrityLibraries();
    const result = await lib.vc.verifyCredential({
      credential,
      suite: verificationSuites(lib),
      documentLoader: loader,
      now,
      checkStatus: async () => ({ verified: true }),
    });
    const failed = unverifiedProof(result, undefined, proofs.length);
    return failed ? [failed] : [];
  } catch (error) {
    return [classifyError(error)];
  }
}

/** Domains every proof names (each proof may name several). */
function commonDomains(proofs: Json[]): string[] {
  const each = proofs.map((p) => ([] as unknown[]).concat(p['domain'] ?? []).filter((d): d is string => typeof d === 'string'));
  return (each[0] ?? []).filter((d) => each.every((domains) => domains.includes(d)));
}

/** The earliest `created` of the proofs, or null when one has none: a presentation is as old as its oldest proof. */
function earliestCreated(proofs: Json[]): Date | null {
  let earliest: Date | null = null;
  for (const proof of proofs) {
    const created = typeof proof['created'] === 'string' ? new Date(proof['created']) : null;
    if (!created || Number.isNaN(created.getTime())) return null;
    if (!earliest || created < earliest) earliest = created;
  }
  return earliest;
}

/** Replay key of a verified proof: its verification method and what it signed (not its proofValue, which has more than one encoding). */
const replayKey = (method: string, signingInput: Uint8Array) => createHash('sha256').update(`data-integrity\n${method}\n`).update(signingInput).digest('hex');

/**
 * Verifies a presentation's own proofs: every one must verify, for authentication, by a key its
 * holder's DID document authorizes for authentication, with the expected challenge and domain.
 * Challenge, domain, date and replay keys are read from the verified proofs only. Its credentials
 * are the presentation service's to verify.
 */
export async function verifyDataIntegrityPresentation(presentation: Json, loader: DocumentLoader, expect: { now: Date; audience?: string; challenge?: string }): Promise<PresentationProofCheck> {
  const proofs = ([] as unknown[]).concat(presentation['proof'] ?? []);
  const claimed = proofs[0] && typeof proofs[0] === 'object' ? (proofs[0] as Json)['challenge'] : undefined;
  const base = {
    presentation,
    holder: idOf(presentation['holder']),
    audience: [] as string[],
    challenge: null as string | null,
    signedAt: null as Date | null,
    replayKeys: [] as string[],
    credentials: ([] as unknown[]).concat(presentation['verifiableCredential'] ?? []),
  };
  // VC 2.0 makes `holder` optional: a presentation without one is checked against its first
  // proof's signer (every proof must be by a key that DID authorizes for authentication) and
  // reports no holder, so it verifies its credentials but logs no one in
  const firstMethod = proofs[0] && typeof proofs[0] === 'object' ? idOf((proofs[0] as Json)['verificationMethod']) : null;
  const signer = base.holder ?? firstMethod?.split('#')[0] ?? null;
  if (!signer) return { ...base, problems: [problem('MALFORMED', 'the presentation names no holder and its proof no verification method')] };
  // without an expected challenge, the first proof's must be every proof's (jsonld-signatures checks each)
  const challenge = expect.challenge ?? (typeof claimed === 'string' ? claimed : undefined);
  if (challenge === undefined) return { ...base, problems: [problem('CHALLENGE_MISMATCH', 'a Data Integrity presentation must carry proof.challenge')] };
  const refused = await proofSetProblem(proofs, signer, 'authentication', loader);
  if (refused) return { ...base, problems: [refused] };
  try {
    // The proofs sign the credentials too, so they stay in; vc verifies them as well, but only
    // the presentation's own result is used here: the presentation service verifies each
    // credential itself (status, issuer, subject) whatever its format.
    const signed = new Map<object, Uint8Array>();
    const lib = await dataIntegrityLibraries();
    const result = await lib.vc.verify({
      presentation,
      suite: recordingSuites(lib, signed),
      documentLoader: loader,
      challenge,
      ...(expect.audience ? { domain: expect.audience } : {}),
      now: expect.now,
      checkStatus: async () => ({ verified: true }),
    });
    const own = result.presentationResult;
    const failed = unverifiedProof(own, result.error, proofs.length);
    if (failed) return { ...base, problems: [failed] };
    const verified = own!.results!;
    const keys = verified.map((r) => {
      const input = r.proof && signed.get(r.proof);
      const method = idOf(r.verificationMethod);
      return input && method ? replayKey(method, input) : null;
    });
    if (keys.some((k) => k === null)) return { ...base, problems: [problem('MALFORMED', 'a proof verified without a signing input to remember it by')] };
    const verifiedProofs = verified.map((r) => r.proof!);
    return { ...base, audience: commonDomains(verifiedProofs), challenge, signedAt: earliestCreated(verifiedProofs), replayKeys: keys as string[], problems: [] };
  } catch (error) {
    return { ...base, problems: [classifyError(error)] };
  }
}
