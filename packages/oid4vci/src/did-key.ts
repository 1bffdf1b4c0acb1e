import type { Jwk } from '@openid4vc/oauth2';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes: Uint8Array): string {
  const digits: number[] = [0];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i]! << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    for (; carry > 0; carry = Math.floor(carry / 58)) digits.push(carry % 58);
  }
  let out = '';
  for (let i = 0; i < bytes.length && bytes[i] === 0; i++) out += '1';
  for (let i = digits.length - 1; i >= 0; i--) out += BASE58[digits[i]!];
  return out;
}

/**
 * The did:key (W3C CCG did:key 0.7) of a wallet's proof key, so the did plugin's credentials
 * (jwt_vc_json, ldp_vc) name the holder the kit's resolver understands: P-256 (multicodec
 * p256-pub 0x1200, compressed point) and Ed25519 (0xed). Undefined for any other key.
 */
export function didKeyOf(jwk: Jwk): string | undefined {
  const x = typeof jwk.x === 'string' ? Buffer.from(jwk.x, 'base64url') : undefined;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && x?.length === 32 && typeof jwk.y === 'string') {
    const y = Buffer.from(jwk.y, 'base64url');
    if (y.length !== 32) return undefined;
    return `did:key:z${base58btc(Buffer.concat([Buffer.from([0x80, 0x24, (y[31]! & 1) === 0 ? 0x02 : 0x03]), x]))}`;
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && x?.length === 32) return `did:key:z${base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), x]))}`;
  return undefined;
}
