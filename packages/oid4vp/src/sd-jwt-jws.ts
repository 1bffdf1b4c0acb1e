import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebPublicKey } from '@w3kit/core';

// The JWS algorithms an issuer or wallet key may sign with, and the curve each needs (RFC 7518, RFC 8037, RFC 8812).
const ALGORITHMS: Record<string, { crv: string; hash: string | null }> = {
  ES256: { crv: 'P-256', hash: 'sha256' },
  ES384: { crv: 'P-384', hash: 'sha384' },
  ES256K: { crv: 'secp256k1', hash: 'sha256' },
  EdDSA: { crv: 'Ed25519', hash: null },
};

/** The JOSE header of a compact JWS's signing input (`header.payload`), or null when it is not JSON. */
export function headerOf(signingInput: string): Record<string, unknown> | null {
  try {
    const header: unknown = JSON.parse(Buffer.from(signingInput.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return header !== null && typeof header === 'object' && !Array.isArray(header) ? (header as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Whether `signature` (base64url) signs `signingInput` under `jwk` with the header's `alg`. The
 * @sd-jwt libraries leave signature checks to a callback; node:crypto covers every curve the
 * kit's issuer and wallets use (jose 6 dropped secp256k1). `alg` must fit the key's curve, so a
 * header cannot pick a weaker algorithm than the key was made for.
 */
export function verifyJws(signingInput: string, signature: string, jwk: JsonWebPublicKey): boolean {
  const alg = headerOf(signingInput)?.['alg'];
  const algorithm = typeof alg === 'string' ? ALGORITHMS[alg] : undefined;
  if (!algorithm || jwk.crv !== algorithm.crv || (jwk.alg !== undefined && jwk.alg !== alg)) return false;
  try {
    const { kty, crv, x, y } = jwk;
    const key = createPublicKey({ key: { kty, crv, x, ...(y === undefined ? {} : { y }) }, format: 'jwk' });
    return verify(algorithm.hash, Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
