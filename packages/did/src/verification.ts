import { ModuleLoadError, type Logger } from '@w3kit/core';
import { DidResolutionError } from './did-resolver.js';
import { DocumentLoaderError } from './document-loader.js';

/** Proof formats the kit verifies: a JWT (`JwtProof2020`) or a Data Integrity suite. */
export type ProofFormat = 'jwt' | 'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019' | 'Ed25519Signature2020';

/** Why a credential or presentation did not verify: a stable code and a sentence. */
export type ProblemCode =
  | 'MALFORMED'
  | 'UNSUPPORTED_PROOF'
  | 'SIGNATURE_INVALID'
  | 'PAYLOAD_MISMATCH'
  | 'ISSUER_MISMATCH'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'REVOKED'
  | 'STATUS_UNAVAILABLE'
  | 'DID_UNRESOLVABLE'
  | 'CONTEXT_UNAVAILABLE'
  | 'AUDIENCE_MISMATCH'
  | 'CHALLENGE_MISMATCH'
  | 'CREDENTIAL_NOT_VERIFIED';

export interface Problem {
  code: ProblemCode;
  /** What the client is told: the kit's own words, never a library's. */
  message: string;
  /**
   * What a library (did-jwt, jsonld-signatures, noble, …) said, for the request's log only
   * (`logLibraryDetails`): its words may name its internals, a node's URL or an RPC error.
   */
  detail?: string;
}

/** The revocation status of a credential that carries a Bitstring Status List entry. */
export interface StatusCheck {
  statusListCredential: string;
  statusListIndex: number;
  revoked: boolean;
}

export interface CredentialVerification {
  verified: boolean;
  format: ProofFormat | null;
  /** The credential as verified: for a JWT, the JSON form decoded from the signed JWT. */
  credential: Record<string, unknown> | null;
  id: string | null;
  issuer: string | null;
  /** `credentialSubject.id`. */
  subject: string | null;
  expirationDate: string | null;
  status: StatusCheck | null;
  problems: Problem[];
}

/** What the proof check of one presentation format found, before its credentials are verified. */
export interface PresentationProofCheck {
  presentation: Record<string, unknown> | null;
  holder: string | null;
  audience: string[];
  challenge: string | null;
  signedAt: Date | null;
  replayKeys: string[];
  /** The credentials as the presentation carries them: JWT strings or JSON objects. */
  credentials: unknown[];
  problems: Problem[];
}

export interface PresentationVerification {
  verified: boolean;
  format: ProofFormat | null;
  presentation: Record<string, unknown> | null;
  holder: string | null;
  /** JWT `aud` / Data Integrity `proof.domain`. */
  audience: string[];
  /** JWT `nonce` / Data Integrity `proof.challenge`. */
  challenge: string | null;
  /** When the holder signed it (JWT `nbf`/`iat`, Data Integrity: the earliest `created` of its proofs), if it says. */
  signedAt: Date | null;
  /**
   * One key per verified proof, from what was signed and by which key, never from the signature
   * bytes (an ES256K signature with S flipped, a proofValue in another multibase encoding, are
   * the same signature): a login remembers every key, so no copy, re-encoding or part of a used
   * presentation logs in again. Empty when the presentation does not verify.
   */
  replayKeys: string[];
  credentials: CredentialVerification[];
  problems: Problem[];
}

export const problem = (code: ProblemCode, message: string): Problem => ({ code, message });

/** What a client is told of a problem a library reported, by its code: one sentence, no library internals. */
export const PROBLEM_MESSAGES: Record<ProblemCode, string> = {
  MALFORMED: 'it is malformed.',
  UNSUPPORTED_PROOF: 'it has no proof this server verifies.',
  SIGNATURE_INVALID: 'a signature does not verify.',
  PAYLOAD_MISMATCH: 'its JSON form says something its signed JWT does not.',
  ISSUER_MISMATCH: 'a proof is not by a key its signer authorizes.',
  EXPIRED: 'it, or a credential in it, has expired.',
  NOT_YET_VALID: 'it, or a credential in it, is not valid yet.',
  REVOKED: 'a credential in it is revoked.',
  STATUS_UNAVAILABLE: 'the status of a credential in it cannot be checked.',
  DID_UNRESOLVABLE: 'a DID it names cannot be resolved.',
  CONTEXT_UNAVAILABLE: 'it uses a JSON-LD context this server does not have.',
  AUDIENCE_MISMATCH: 'it is addressed to another verifier.',
  CHALLENGE_MISMATCH: 'its challenge (JWT nonce, proof.challenge) is missing or is not the one the verifier asked for.',
  CREDENTIAL_NOT_VERIFIED: 'a credential in it does not verify.',
};

// a library's message is logged, not answered; a pathological one is cut short all the same
const MAX_DETAIL = 1000;

/** A problem a library reported: the kit's sentence for its code to the client, the library's words for the log. */
export const libraryProblem = (code: ProblemCode, detail: string): Problem => ({ code, message: PROBLEM_MESSAGES[code], detail: detail.slice(0, MAX_DETAIL) });

/** Every library text behind a verification result, its credentials' too. */
export function libraryDetails(v: { problems: Problem[]; credentials?: { problems: Problem[] }[] }): { code: ProblemCode; detail: string }[] {
  const own = v.problems.flatMap((p) => (p.detail === undefined ? [] : [{ code: p.code, detail: p.detail }]));
  return [...own, ...(v.credentials ?? []).flatMap((c) => libraryDetails(c))];
}

/**
 * Writes what libraries said about a verification to the request's log, at debug: the client
 * got the kit's words (`PROBLEM_MESSAGES`); an operator who needs the library's turns debug on.
 * Debug, not warn: anyone can post a bad credential, and a warning per post would flood the log.
 * Returns the result, for a route to answer.
 */
export function logLibraryDetails<T extends { problems: Problem[]; credentials?: { problems: Problem[] }[] }>(logger: Logger, what: string, v: T): T {
  const details = libraryDetails(v);
  if (details.length > 0) logger.debug({ problems: details }, `${what}: what the libraries said`);
  return v;
}

/** The first message of an error, whatever shape the library gave it. */
function messages(error: unknown, depth = 0): { error: unknown; message: string }[] {
  if (!error || depth > 5) return [];
  const e = error as { message?: unknown; cause?: unknown; errors?: unknown[]; details?: { cause?: unknown } };
  const own = typeof e.message === 'string' ? [{ error, message: e.message }] : [];
  return [...own, ...messages(e.cause, depth + 1), ...messages(e.details?.cause, depth + 1), ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => messages(x, depth + 1)) : [])];
}

/**
 * Turns what did-jwt, did-jwt-vc, jsonld-signatures or @digitalbazaar/vc threw or reported into
 * a problem with a stable code. The libraries report by message; the prefixes matched here are
 * did-jwt's `JWT_ERROR` codes and jsonld-signatures' sentences. The library's message becomes
 * the problem's `detail` (the log's), never its `message` (the client's).
 */
export function classifyError(error: unknown): Problem {
  const all = messages(error);
  const first = all[0]?.message ?? String(error);
  for (const { error: e } of all) {
    // a library the server could not load is its own fault: the route's 500, not a problem of the credential
    if (e instanceof ModuleLoadError) throw e;
    // the kit's own errors, in its own words (a URL or DID of the caller's); the library's wrapping message, if any, for the log
    const own = e instanceof DocumentLoaderError ? (e.code === 'didUnresolvable' ? 'DID_UNRESOLVABLE' : 'CONTEXT_UNAVAILABLE') : e instanceof DidResolutionError ? 'DID_UNRESOLVABLE' : null;
    if (own) return { ...problem(own, (e as Error).message), ...(first === (e as Error).message ? {} : { detail: first.slice(0, MAX_DETAIL) }) };
  }
  const text = all.map((m) => m.message).join(' | ') || String(error);
  const rules: [RegExp, ProblemCode][] = [
    [/resolver_error|unsupportedDidMethod|invalidDid|unknownNetwork/i, 'DID_UNRESOLVABLE'],
    [/has expired|expirationDate|after "validUntil"|JWT has expired/i, 'EXPIRED'],
    [/not valid before|before the "issuanceDate"|before "validFrom"|\bnbf\b|\biat\b/i, 'NOT_YET_VALID'],
    [/invalid_audience|audience|domain is not as expected|mandatory domain/i, 'AUDIENCE_MISMATCH'],
    [/challenge/i, 'CHALLENGE_MISMATCH'],
    [/issuer must match|controller/i, 'ISSUER_MISMATCH'],
    // noble-curves throws these when a forged signature is not even a point on the curve
    [/invalid_signature|signature|square root|recovery|invalid [rs]\b|not on curve/i, 'SIGNATURE_INVALID'],
    [/No matching proofs found|not_supported|No "proof"|proof type/i, 'UNSUPPORTED_PROOF'],
  ];
  for (const [pattern, code] of rules) if (pattern.test(text)) return libraryProblem(code, first);
  return libraryProblem('MALFORMED', first);
}
