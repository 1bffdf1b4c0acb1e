import { createHash } from 'node:crypto';
import { decodeJWT } from 'did-jwt';
import {
  createVerifiableCredentialJwt,
  createVerifiablePresentationJwt,
  normalizeCredential,
  normalizePresentation,
  validateCredentialPayload,
  validatePresentationPayload,
  verifyPresentationPayloadOptions,
  type Issuer,
} from 'did-jwt-vc';
import type { JwtVerifier } from './jwt-verifier.js';
import { classifyError, libraryProblem, problem, type PresentationProofCheck, type Problem } from './verification.js';

/** The proof type of the Finenex document's JSON-form credentials and presentations: `{type: 'JwtProof2020', jwt}`. */
export const JWT_PROOF_TYPE = 'JwtProof2020';

type Json = Record<string, unknown>;

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The JWT of a JSON-form credential or presentation (`proof.jwt`), or a bare JWT string; else null. */
export function jwtOf(input: unknown): string | null {
  if (typeof input === 'string') return JWT.test(input) ? input : null;
  const proof = (input as { proof?: unknown } | null)?.proof;
  if (!proof || typeof proof !== 'object' || Array.isArray(proof)) return null;
  const { type, jwt } = proof as { type?: unknown; jwt?: unknown };
  return type === JWT_PROOF_TYPE && typeof jwt === 'string' && JWT.test(jwt) ? jwt : null;
}

const DATE_FIELDS = new Set(['issuanceDate', 'expirationDate', 'validFrom', 'validUntil']);
const ONE_OR_MANY = new Set(['type', '@context', 'credentialSubject', 'verifier']);

/** A value as the JWT encoding would give it back: issuer ids, dates as instants, one-element arrays as the element. */
function comparable(key: string, value: unknown): unknown {
  if (DATE_FIELDS.has(key) && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  if ((key === 'issuer' || key === 'holder') && value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'id') return (value as { id: unknown }).id;
  }
  if (ONE_OR_MANY.has(key) && Array.isArray(value) && value.length === 1) return value[0];
  return value;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson(comparable(k, (a as Json)[k]), comparable(k, (b as Json)[k])));
}

/**
 * Where a posted JSON form says something its signed JWT does not: the field name, or null
 * when every field it carries is what the JWT says. Fields it leaves out are fine (the
 * verified form comes from the JWT); a field it adds or changes is tampering.
 */
export function jsonMismatch(posted: Json, signed: Json): string | null {
  for (const [key, value] of Object.entries(posted)) {
    if (key === 'proof') continue;
    if (key === 'verifiableCredential') {
      const postedList = ([] as unknown[]).concat(value);
      const signedList = ([] as unknown[]).concat(signed[key] ?? []);
      if (postedList.length !== signedList.length) return key;
      for (const [i, entry] of postedList.entries()) {
        const signedEntry = signedList[i] as Json;
        const jwt = jwtOf(entry);
        if (jwt ? jwt !== jwtOf(signedEntry) : !sameJson(entry, signedEntry)) return `${key}[${i}]`;
        if (jwt && typeof entry === 'object' && entry !== null) {
          const inner = jsonMismatch(entry as Json, signedEntry);
          if (inner) return `${key}[${i}].${inner}`;
        }
      }
      continue;
    }
    if (!Object.hasOwn(signed, key) || !sameJson(comparable(key, value), comparable(key, signed[key]))) return key;
  }
  return null;
}

/** Signs the credential (JSON form, VC 1.1) as a JWT and returns its JSON form with the `JwtProof2020` proof. */
export async function issueJwtCredential(credential: Json, issuer: Issuer): Promise<Json> {
  // did-jwt-vc moves credentialSubject.id to `sub` and refuses the subject left empty; a subject
  // of nothing but its id (a valid VC) keeps its id in the claim when `sub` is given
  const subject = credential['credentialSubject'] as Json | undefined;
  const onlyId = subject && typeof subject === 'object' && !Array.isArray(subject) && Object.keys(subject).length === 1 && typeof subject['id'] === 'string';
  const jwt = await createVerifiableCredentialJwt((onlyId ? { ...credential, sub: subject['id'] } : credential) as never, issuer);
  return normalizeCredential(jwt) as Json;
}

export interface JwtCredentialCheck {
  credential: Json | null;
  problems: Problem[];
}

/**
 * Verifies a JWT credential (and that its posted JSON form, if any, says what the JWT says):
 * did-jwt-vc's `verifyCredential`, step by step, with the signature through the kit's verifier.
 */
export async function verifyJwtCredential(jwt: string, posted: Json | null, verifier: JwtVerifier, now: Date): Promise<JwtCredentialCheck> {
  try {
    await verifier.verify(jwt, { proofPurpose: 'assertionMethod', now: Math.floor(now.getTime() / 1000) });
    const normalized = normalizeCredential(jwt) as Parameters<typeof validateCredentialPayload>[0];
    validateCredentialPayload(normalized);
    const credential = normalized as unknown as Json;
    const mismatch = posted ? jsonMismatch(posted, credential) : null;
    if (mismatch) return { credential, problems: [problem('PAYLOAD_MISMATCH', `"${mismatch}" differs from what the signed JWT says`)] };
    return { credential, problems: [] };
  } catch (error) {
    return { credential: decodedCredential(jwt), problems: [classifyError(error)] };
  }
}

/** The JSON form of a JWT credential without verifying it (to report on one that failed). */
function decodedCredential(jwt: string): Json | null {
  try {
    return normalizeCredential(jwt) as Json;
  } catch {
    return null;
  }
}

export interface JwtPresentationInput {
  holder: string;
  verifier?: string;
  /** JSON-form JWT credentials or JWT strings. */
  credentials: unknown[];
  challenge?: string;
}

/** Signs a VP as a JWT with the holder's key and returns its JSON form (`verifier` = `aud`, `nonce` = challenge). */
export async function createJwtPresentation(input: JwtPresentationInput, holder: Issuer, now: Date): Promise<Json> {
  const payload = {
    vp: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiablePresentation'],
      verifiableCredential: input.credentials.map((c) => jwtOf(c) ?? c),
    },
    nbf: Math.floor(now.getTime() / 1000),
    ...(input.verifier ? { aud: [input.verifier] } : {}),
    ...(input.challenge ? { nonce: input.challenge } : {}),
  };
  const jwt = await createVerifiablePresentationJwt(payload as never, holder);
  return normalizePresentation(jwt) as Json;
}

export interface PresentationExpectations {
  now: Date;
  /** The VP must name this audience (`aud`); unchecked when absent. */
  audience?: string;
  /** The VP must carry this challenge (`nonce`); unchecked when absent. */
  challenge?: string;
}

/**
 * Replay key of a verified JWT: its signer and its signing input (header and payload), not its
 * signature. did-jwt accepts an ES256K signature with a high S (the Finenex document's own samples have one),
 * so flipping S to n − S makes other JWT bytes with the same valid signature.
 */
const jwtReplayKey = (signer: string, jwt: string) =>
  createHash('sha256')
    .update(`jwt\n${signer}\n${jwt.slice(0, jwt.lastIndexOf('.'))}`)
    .digest('hex');

/**
 * Verifies a JWT VP: the holder's signature, its time, and the expected audience and challenge
 * (did-jwt-vc's `verifyPresentation`, step by step, with the signature through the kit's verifier).
 */
export async function verifyJwtPresentation(jwt: string, posted: Json | null, verifier: JwtVerifier, expect: PresentationExpectations): Promise<PresentationProofCheck> {
  let payload: Json;
  try {
    payload = decodeJWT(jwt).payload;
  } catch (error) {
    return {
      presentation: null,
      holder: null,
      audience: [],
      challenge: null,
      signedAt: null,
      replayKeys: [],
      credentials: [],
      problems: [libraryProblem('MALFORMED', (error as Error).message)],
    };
  }
  const audience = ([] as unknown[]).concat(payload['aud'] ?? []).filter((a): a is string => typeof a === 'string');
  const seconds = Number(payload['nbf'] ?? payload['iat']);
  const base = {
    holder: typeof payload['iss'] === 'string' ? payload['iss'] : null,
    audience,
    challenge: typeof payload['nonce'] === 'string' ? payload['nonce'] : null,
    signedAt: Number.isFinite(seconds) ? new Date(seconds * 1000) : null,
    replayKeys: [] as string[],
    credentials: ([] as unknown[]).concat((payload['vp'] as Json | undefined)?.['verifiableCredential'] ?? []),
  };
  try {
    const verified = await verifier.verify(jwt, {
      proofPurpose: 'authentication',
      now: Math.floor(expect.now.getTime() / 1000),
      ...(expect.audience ? { audience: expect.audience } : { checkAudience: false }),
    });
    verifyPresentationPayloadOptions(verified.payload as never, {
      ...(expect.audience ? { domain: expect.audience } : {}),
      ...(expect.challenge ? { challenge: expect.challenge } : {}),
    });
    const normalized = normalizePresentation(jwt) as Parameters<typeof validatePresentationPayload>[0];
    validatePresentationPayload(normalized);
    const presentation = normalized as unknown as Json;
    const mismatch = posted ? jsonMismatch(posted, presentation) : null;
    if (mismatch) return { ...base, presentation, problems: [problem('PAYLOAD_MISMATCH', `"${mismatch}" differs from what the signed JWT says`)] };
    return { ...base, presentation, replayKeys: [jwtReplayKey(verified.issuer, jwt)], problems: [] };
  } catch (error) {
    let presentation: Json | null = null;
    try {
      presentation = normalizePresentation(jwt) as Json;
    } catch {
      // not even decodable: no JSON form to report
    }
    return { ...base, presentation, problems: [classifyError(error)] };
  }
}
