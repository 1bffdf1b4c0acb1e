import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';

// Ethereum addresses and secp256k1 public keys with @noble (already loaded by the claim signer
// and the workers), so that the plugins' simple uses of ethers' getAddress / computeAddress /
// SigningKey do not load ethers' 250 modules at start (issue 17, idle RSS). Same results and
// the same refusals as ethers for hex input: ethers stays the judge in the tests.

const HEX_ADDRESS = /^(0x)?[0-9a-fA-F]{40}$/;

/** EIP-55: the checksummed form of 40 lower-case hex digits. */
function checksummed(lowerHex: string): string {
  const hash = keccak_256(Buffer.from(lowerHex, 'ascii'));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? lowerHex[i]!.toUpperCase() : lowerHex[i]!;
  }
  return out;
}

/**
 * ethers' `getAddress` for hex addresses: the EIP-55 checksummed address of `address` (0x
 * optional, any case). Throws a TypeError for anything else, and for a mixed-case address whose
 * checksum is wrong (a typo); all lower or all upper case carries no checksum.
 */
export function checksumAddress(address: string): string {
  if (!HEX_ADDRESS.test(address)) throw new TypeError('invalid address');
  const hex = address.replace(/^0x/, '');
  const result = checksummed(hex.toLowerCase());
  if (/[A-F]/.test(hex) && /[a-f]/.test(hex) && result.slice(2) !== hex) throw new TypeError('bad address checksum');
  return result;
}

function bytesOf(hex: string | Uint8Array): Uint8Array {
  if (typeof hex !== 'string') return hex;
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new TypeError('invalid hex public key');
  return Buffer.from(hex.slice(2), 'hex');
}

/** The uncompressed form (0x04 ‖ x ‖ y, hex with 0x) of a secp256k1 public key, compressed or not (ethers' `SigningKey.computePublicKey(key, false)` for public keys); throws for a non-point. */
export function uncompressedPublicKey(publicKey: string | Uint8Array): string {
  const point = secp256k1.ProjectivePoint.fromHex(bytesOf(publicKey));
  return `0x${Buffer.from(point.toRawBytes(false)).toString('hex')}`;
}

/** The checksummed address of a secp256k1 public key, compressed or not (ethers' `computeAddress` for public keys); throws for a non-point. */
export function addressOfPublicKey(publicKey: string | Uint8Array): string {
  const uncompressed = secp256k1.ProjectivePoint.fromHex(bytesOf(publicKey)).toRawBytes(false);
  return checksummed(Buffer.from(keccak_256(uncompressed.subarray(1)).subarray(12)).toString('hex'));
}

/** A new secp256k1 key pair from 32 random bytes (a CSPRNG's): private key and uncompressed public key, hex with 0x, as ethers' `SigningKey` shows them. */
export function secp256k1KeyPair(privateKey: Uint8Array): { privateKey: string; publicKey: string } {
  if (!secp256k1.utils.isValidPrivateKey(privateKey)) throw new TypeError('not a secp256k1 private key');
  return { privateKey: `0x${Buffer.from(privateKey).toString('hex')}`, publicKey: `0x${Buffer.from(secp256k1.getPublicKey(privateKey, false)).toString('hex')}` };
}

/** The uncompressed public key (65 bytes) whose secp256k1 signature (r, s) of the 32-byte `digest` has recovery bit `bit` (ethers' `SigningKey.recoverPublicKey`); null when r or s is out of range or no point recovers. */
export function recoverPublicKey(digest: Uint8Array, r: bigint, s: bigint, bit: 0 | 1): Uint8Array | null {
  try {
    return new secp256k1.Signature(r, s).addRecoveryBit(bit).recoverPublicKey(digest).toRawBytes(false);
  } catch {
    return null;
  }
}
