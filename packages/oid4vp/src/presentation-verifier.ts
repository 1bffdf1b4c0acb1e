import { createHash } from 'node:crypto';
import { SDJwtInstance } from '@sd-jwt/core';
import { digest } from '@sd-jwt/crypto-nodejs';
import type { JsonWebPublicKey, SdJwtVcIssuer } from '@w3kit/core';
import { sha256Hex } from './verifier-identity.js';
import { headerOf, jsonSegment, verifyJws } from './sd-jwt-jws.js';

/** Why a presentation logs no one in (the `reason` of a PRESENTATION_REJECTED error). */
export type RejectionReason =
  | 'MALFORMED'
  | 'NOT_AN_SD_JWT_VC'
  | 'UNKNOWN_ISSUER'
  | 'UNKNOWN_ISSUER_KEY'
  | 'WRONG_VCT'
  | 'SIGNATURE_INVALID'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'KEY_BINDING_MISSING'
  | 'AUDIENCE_MISMATCH'
  | 'NONCE_MISMATCH'
  | 'SD_HASH_MISMATCH'
  | 'KEY_BINDING_TOO_OLD'
  | 'DISCLOSURE_UNREFERENCED'
  | 'DISCLOSURE_MISSING'
  | 'STATUS_MISSING'
  | 'REVOKED'
  | 'STATUS_UNAVAILABLE'
  | 'ACCOUNT_NOT_FOUND'
  | 'PRESENTATION_REPLAYED';

export type Rejection = { ok: false; reason: RejectionReason; message: string };
export type PresentationCheck = { ok: true; accountId: string; subject: string; replayKey: string } | Rejection;
/** The checks that need no database passed: the rest (status, account, replay) is the caller's. */
export type OfflineCheck = { ok: true; subject: string; status: { uri: string; idx: number }; replayKey: string } | Rejection;

export interface PresentationExpectations {
  /** The verifier's client id: the key-binding JWT's `aud`. */
  audience: string;
  /** The request's nonce: the key-binding JWT's `nonce`. */
  nonce: string;
  vct: string;
  now: Date;
  maxAgeSeconds: number;
}

/** What the offline checks compare against, as plain data (it crosses to a worker thread). */
export interface OfflineExpectations {
  /** The kit's credential issuer identifier: the credential's `iss`. */
  issuer: string;
  audience: string;
  nonce: string;
  vct: string;
  nowMs: number;
  maxAgeSeconds: number;
}

/** Runs the offline checks of one presentation with the issuer key its `kid` named (undefined: none). */
export type OfflineVerifier = (presentation: string, expected: OfflineExpectations, issuerKey: JsonWebPublicKey | undefined) => Promise<OfflineCheck>;

const hasher = (data: string | ArrayBuffer, alg: string) => digest(data, alg);
const reject = (reason: RejectionReason, message: string): Rejection => ({ ok: false, reason, message });
// the `_sd_alg` values of RFC 9901 §4.1.1 the kit accepts, as node:crypto names them
const DIGESTS: Record<string, string> = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

interface Decoded {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** Each disclosure's digest (RFC 9901 §4.2.3: of its base64url text) and the value it discloses. */
  disclosures: [digest: string, value: unknown][];
  kb: { header: Record<string, unknown>; payload: Record<string, unknown> } | null;
}

/**
 * The presentation's parts, decoded once for the kit's own rules (the library decodes its own
 * copy to verify), with node:crypto's digests; null when it is no SD-JWT, a disclosure is no JSON
 * array, or the digest algorithm is unknown.
 */
function decode(presentation: string): Decoded | null {
  const parts = presentation.split('~');
  const jwt = parts[0]!.split('.');
  // `<jwt>~<disclosures>~<kb-jwt>`: the last part is the key-binding JWT, or empty without one
  const kbJwt = parts.length > 1 ? parts.pop()! : '';
  const header = jsonSegment(jwt[0]);
  const payload = jsonSegment(jwt[1]);
  if (jwt.length !== 3 || !isObject(header) || !isObject(payload)) return null;
  const hash = DIGESTS[String(payload['_sd_alg'] ?? 'sha-256')];
  if (!hash) return null;
  const disclosures: Decoded['disclosures'] = [];
  for (const encoded of parts.slice(1)) {
    const disclosure = jsonSegment(encoded);
    if (!Array.isArray(disclosure) || (disclosure.length !== 2 && disclosure.length !== 3) || typeof disclosure[0] !== 'string') return null;
    disclosures.push([createHash(hash).update(encoded).digest('base64url'), disclosure[disclosure.length - 1]]);
  }
  let kb: Decoded['kb'] = null;
  if (kbJwt !== '') {
    const [kbHeader, kbPayload] = kbJwt.split('.').map(jsonSegment);
    if (!isObject(kbHeader) || !isObject(kbPayload)) return null;
    kb = { header: kbHeader, payload: kbPayload };
  }
  return { header, payload, disclosures, kb };
}

/**
 * Every disclosure is referenced, once, by a digest of the issuer-signed payload or of a
 * disclosure it references (`_sd` of objects, `{"...": digest}` of arrays; RFC 9901 §7.1 steps
 * 3–4): the library alone would ignore one that is not.
 */
function disclosuresReferenced({ payload, disclosures: list }: Decoded): boolean {
  const disclosures = new Map(list);
  if (disclosures.size !== list.length) return false;
  const reached = new Set<string>();
  const reach = (digestOf: unknown) => {
    if (typeof digestOf !== 'string' || reached.has(digestOf) || !disclosures.has(digestOf)) return;
    reached.add(digestOf);
    visit(disclosures.get(digestOf));
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) {
        if (isObject(item) && Object.keys(item).length === 1 && '...' in item) reach(item['...']);
        else visit(item);
      }
    } else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '_sd' && Array.isArray(value)) value.forEach(reach);
        else visit(value);
      }
    }
  };
  visit(payload);
  return reached.size === disclosures.size;
}

/** What the library's (0.19) exceptions mean, for the client; its words themselves are not passed on. */
function libraryReason(error: unknown): RejectionReason {
  const message = error instanceof Error ? error.message : '';
  if (/expired/i.test(message)) return 'EXPIRED';
  if (/not yet valid/i.test(message)) return 'NOT_YET_VALID';
  if (/sd_hash/i.test(message)) return 'SD_HASH_MISMATCH';
  if (/nonce/i.test(message)) return 'NONCE_MISMATCH';
  return 'SIGNATURE_INVALID';
}

/**
 * The checks of one SD-JWT VC presentation (`<jwt>~<disclosure>~…~<kb-jwt>`) that need no
 * database: a credential of the kit's `iss`, signed by `issuerKey`, of the login `vct`, bound to
 * the wallet's key by a fresh key-binding JWT for this verifier and this request, every disclosure
 * referenced, `sub` disclosed, a status list entry named. The signature, expiry, disclosure and
 * `sd_hash` work is @sd-jwt/core's; the rules of the kit's profile are here. Pure: it runs on a
 * worker thread (presentation-workers.ts), off the event loop.
 */
export async function verifyOffline(presentation: string, expected: OfflineExpectations, issuerKey: JsonWebPublicKey | undefined): Promise<OfflineCheck> {
  const decoded = decode(presentation);
  if (!decoded) return reject('MALFORMED', 'The presentation is not an SD-JWT.');
  const { header, payload } = decoded;
  if (header['typ'] !== 'dc+sd-jwt') return reject('NOT_AN_SD_JWT_VC', 'The credential is not an SD-JWT VC (typ dc+sd-jwt).');
  if (payload['iss'] !== expected.issuer) return reject('UNKNOWN_ISSUER', `The credential is not one this server issued (iss must be ${expected.issuer}).`);
  if (payload['vct'] !== expected.vct) return reject('WRONG_VCT', `The credential is not of the type a login asks for (vct ${expected.vct}).`);
  if (!issuerKey) return reject('UNKNOWN_ISSUER_KEY', 'The credential is signed with no key of this server’s issuer.');

  // Key binding: checked here before the library runs, so each refusal says which rule failed.
  const kb = decoded.kb;
  if (!kb) return reject('KEY_BINDING_MISSING', 'The presentation has no key-binding JWT.');
  if (kb.payload['aud'] !== expected.audience) return reject('AUDIENCE_MISMATCH', `The key-binding JWT is addressed to another verifier (aud must be ${expected.audience}).`);
  if (kb.payload['nonce'] !== expected.nonce) return reject('NONCE_MISMATCH', 'The key-binding JWT’s nonce is not this request’s.');
  const iat = kb.payload['iat'];
  const nowSeconds = Math.floor(expected.nowMs / 1000);
  if (typeof iat !== 'number' || nowSeconds - iat > expected.maxAgeSeconds || iat - nowSeconds > expected.maxAgeSeconds) {
    return reject('KEY_BINDING_TOO_OLD', `The key-binding JWT must be made within ${expected.maxAgeSeconds} seconds of now (iat).`);
  }
  const cnf = (payload['cnf'] as { jwk?: JsonWebPublicKey } | undefined)?.jwk;
  if (!cnf) return reject('KEY_BINDING_MISSING', 'The credential is bound to no wallet key (cnf.jwk).');

  const verifier = new SDJwtInstance({
    hasher,
    verifier: (data, signature) => verifyJws(data, signature, issuerKey),
    kbVerifier: (data, signature) => kb.header['typ'] === 'kb+jwt' && verifyJws(data, signature, cnf),
  });
  let claims: Record<string, unknown>;
  try {
    const verified = await verifier.verify(presentation, { currentDate: nowSeconds, skewSeconds: 60, keyBindingNonce: expected.nonce });
    claims = verified.payload as Record<string, unknown>;
  } catch (error) {
    const reason = libraryReason(error);
    return reject(reason, reason === 'SIGNATURE_INVALID' ? 'A signature of the presentation does not verify.' : `The presentation does not verify (${reason}).`);
  }
  if (!disclosuresReferenced(decoded)) return reject('DISCLOSURE_UNREFERENCED', 'A disclosure is not referenced by the credential (tampered or duplicated).');
  const subject = claims['sub'];
  if (typeof subject !== 'string' || subject.length === 0) return reject('DISCLOSURE_MISSING', 'The presentation does not disclose the credential’s sub.');

  const status = (payload['status'] as { status_list?: { uri?: unknown; idx?: unknown } } | undefined)?.status_list;
  if (typeof status?.uri !== 'string' || !Number.isSafeInteger(status.idx)) return reject('STATUS_MISSING', 'The credential has no status list entry, so it cannot be checked for revocation.');
  // One presentation, one login: the key-binding JWT's signing input is what the wallet signed
  // for this request (nonce, aud, iat, sd_hash); its signature bytes are not part of the key.
  const kbSigningInput = presentation
    .slice(presentation.lastIndexOf('~') + 1)
    .split('.')
    .slice(0, 2)
    .join('.');
  return { ok: true, subject, status: { uri: status.uri, idx: status.idx as number }, replayKey: sha256Hex(`kb-jwt:${kbSigningInput}`) };
}

/**
 * Checks one SD-JWT VC presentation against the kit's issuer: the issuer key its `kid` names (a
 * read of the issuer's), the offline checks (`verify`: on a worker thread), then its status —
 * read from the issuer's database on every presentation, so a revocation is seen by the next one —
 * and the account its `sub` names.
 */
export async function checkPresentation(presentation: string, expected: PresentationExpectations, issuer: SdJwtVcIssuer, verify: OfflineVerifier): Promise<PresentationCheck> {
  // the JOSE header is a few dozen bytes: its kid is read here, the rest is decoded by `verify`
  const kid = headerOf(presentation)?.['kid'];
  const issuerKey = typeof kid === 'string' ? await issuer.issuerKey(kid) : undefined;
  const { audience, nonce, vct, now, maxAgeSeconds } = expected;
  const offline = await verify(presentation, { issuer: issuer.issuer, audience, nonce, vct, nowMs: now.getTime(), maxAgeSeconds }, issuerKey);
  if (!offline.ok) return offline;

  const state = await issuer.statusOf(offline.status);
  if (state === 'invalid') return reject('REVOKED', 'The credential is revoked.');
  if (state !== 'valid') return reject('STATUS_UNAVAILABLE', 'The status of the credential cannot be checked.');
  const accountId = await issuer.accountIdForSubject(offline.subject);
  if (!accountId) return reject('ACCOUNT_NOT_FOUND', 'The credential’s sub names no account of this server.');
  return { ok: true, accountId, subject: offline.subject, replayKey: offline.replayKey };
}
