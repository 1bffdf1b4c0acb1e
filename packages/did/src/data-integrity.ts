import { createHash } from 'node:crypto';
import { DataIntegrityProof, type Signer } from '@digitalbazaar/data-integrity';
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { DocumentLoader } from './document-loader.js';
import { classifyError, problem, type PresentationProofCheck, type Problem, type ProofFormat } from './verification.js';

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

/** The Data Integrity format of a document's proof, or null when it has none the kit verifies. */
export function dataIntegrityFormatOf(document: Json): DataIntegrityFormat | null {
  for (const proof of proofsOf(document)) {
    if (proof['type'] === 'Ed25519Signature2020') return 'Ed25519Signature2020';
    if (proof['type'] === 'DataIntegrityProof' && (proof['cryptosuite'] === 'eddsa-rdfc-2022' || proof['cryptosuite'] === 'ecdsa-rdfc-2019')) return proof['cryptosuite'];
  }
  return null;
}

function signingSuite(format: DataIntegrityFormat, signer: Signer, date: Date) {
  if (format === 'Ed25519Signature2020') return new Ed25519Signature2020({ signer, date });
  return new DataIntegrityProof({ signer, date, cryptosuite: format === 'eddsa-rdfc-2022' ? eddsaRdfc2022 : ecdsaRdfc2019 });
}

// Suites keep per-document state while they verify; a fresh set per verification keeps them apart.
const verificationSuites = () => [new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019 }), new Ed25519Signature2020()];

/** Contexts a credential of the format needs beside the data model's own (1.1 has no Data Integrity or Ed25519 terms). */
export function suiteContexts(format: DataIntegrityFormat, model: '1.1' | '2.0'): string[] {
  return format === 'Ed25519Signature2020' ? [ED25519_2020_CONTEXT] : model === '1.1' ? ['https://w3id.org/security/data-integrity/v2'] : [];
}

/** Signs a credential with a Data Integrity proof. Throws (a JSON-LD or data model error) when it cannot be signed. */
export async function issueDataIntegrityCredential(credential: Json, format: DataIntegrityFormat, signer: Signer, loader: DocumentLoader, now: Date): Promise<Json> {
  return vc.issue({ credential: structuredClone(credential), suite: signingSuite(format, signer, now), documentLoader: loader, now });
}

/** Signs a presentation (authentication purpose, with challenge and domain). */
export async function signDataIntegrityPresentation(presentation: Json, format: DataIntegrityFormat, signer: Signer, loader: DocumentLoader, options: { challenge: string; domain?: string; now: Date }): Promise<Json> {
  return vc.signPresentation({
    presentation: structuredClone(presentation),
    suite: signingSuite(format, signer, options.now),
    documentLoader: loader,
    challenge: options.challenge,
    ...(options.domain ? { domain: options.domain } : {}),
  });
}

const firstError = (result: vc.VerifyResult): unknown => result.results?.find((r) => !r.verified && r.error)?.error ?? result.error;

/**
 * Verifies a credential's Data Integrity proof and validity period. Status is not checked
 * here: the credential service checks it for every format alike.
 */
export async function verifyDataIntegrityCredential(credential: Json, loader: DocumentLoader, now: Date): Promise<Problem[]> {
  try {
    const result = await vc.verifyCredential({
      credential,
      suite: verificationSuites(),
      documentLoader: loader,
      now,
      checkStatus: async () => ({ verified: true }),
    });
    return result.verified ? [] : [classifyError(firstError(result))];
  } catch (error) {
    return [classifyError(error)];
  }
}


/**
 * Verifies a presentation's own proof: authentication by its holder, challenge and domain when
 * expected. Its credentials are the presentation service's to verify.
 */
export async function verifyDataIntegrityPresentation(
  presentation: Json,
  loader: DocumentLoader,
  expect: { now: Date; audience?: string; challenge?: string },
): Promise<PresentationProofCheck> {
  const proof = proofsOf(presentation)[0] ?? {};
  const challenge = typeof proof['challenge'] === 'string' ? proof['challenge'] : null;
  const domain = proof['domain'];
  const created = typeof proof['created'] === 'string' ? new Date(proof['created']) : null;
  const holderValue = presentation['holder'];
  const base = {
    presentation,
    holder: typeof holderValue === 'string' ? holderValue : typeof (holderValue as Json | undefined)?.['id'] === 'string' ? String((holderValue as Json)['id']) : null,
    audience: ([] as unknown[]).concat(domain ?? []).filter((d): d is string => typeof d === 'string'),
    challenge,
    signedAt: created && !Number.isNaN(created.getTime()) ? created : null,
    fingerprint: createHash('sha256').update(String(proof['proofValue'] ?? JSON.stringify(proof))).digest('hex'),
    credentials: ([] as unknown[]).concat(presentation['verifiableCredential'] ?? []),
  };
  if (!base.holder) return { ...base, problems: [problem('MALFORMED', 'the presentation names no holder')] };
  if (expect.challenge === undefined && challenge === null) return { ...base, problems: [problem('CHALLENGE_MISMATCH', 'a Data Integrity presentation must carry proof.challenge')] };
  try {
    // The proof signs the credentials too, so they stay in; vc verifies them as well, but only
    // the presentation's own result is used here: the presentation service verifies each
    // credential itself (status, issuer, subject) whatever its format.
    const result = await vc.verify({
      presentation,
      suite: verificationSuites(),
      documentLoader: loader,
      challenge: expect.challenge ?? challenge!,
      ...(expect.audience ? { domain: expect.audience } : {}),
      now: expect.now,
      checkStatus: async () => ({ verified: true }),
    });
    const own = result.presentationResult;
    if (!own?.verified) return { ...base, problems: [classifyError(own ? firstError(own) : result.error)] };
    const vmController = String((own.results?.[0] as { verificationMethod?: { controller?: unknown } } | undefined)?.verificationMethod?.controller ?? '');
    if (vmController && vmController !== base.holder) return { ...base, problems: [problem('SIGNATURE_INVALID', `the presentation is signed by ${vmController}, not by its holder ${base.holder}`)] };
    return { ...base, problems: [] };
  } catch (error) {
    return { ...base, problems: [classifyError(error)] };
  }
}
