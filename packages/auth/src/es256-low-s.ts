/**
 * ECDSA signatures are malleable: if (r, s) verifies, so does (r, n − s). The kit issues only
 * the low half (s ≤ (n − 1) / 2, as Bitcoin's BIP 62 and Ethereum's EIP-2 do) and accepts only
 * it for its own tokens, so a token has exactly one valid signature and no one can make a
 * second, different string of it. node:crypto (and jose with it) accepts both halves.
 */

/** The order of the P-256 group (SEC 2, secp256r1). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = P256_N >> 1n;

const SIGNATURE_BYTES = 64; // JWS ES256: r ‖ s, 32 bytes each (RFC 7518 §3.4)

const sOf = (raw: Buffer) => BigInt(`0x${raw.subarray(32).toString('hex')}`);

/** True when a base64url JWS ES256 signature is 64 bytes with a low s. */
export function isLowS(signature: string): boolean {
  const raw = Buffer.from(signature, 'base64url');
  return raw.length === SIGNATURE_BYTES && sOf(raw) <= HALF_N;
}

/** The same signature with s in the low half (n − s when it is high), base64url. */
export function toLowS(signature: string): string {
  const raw = Buffer.from(signature, 'base64url');
  const s = sOf(raw);
  if (raw.length !== SIGNATURE_BYTES || s <= HALF_N) return signature;
  return Buffer.concat([raw.subarray(0, 32), Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex')]).toString('base64url');
}
