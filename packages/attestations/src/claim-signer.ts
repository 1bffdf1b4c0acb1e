import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { addressOfPublicKey, secp256k1Workers } from '@w3kit/core';

/** ERC725 claim types of Origin's attestations. */
export const CLAIM_TYPES = { facebook: 3, twitter: 4, phone: 10, email: 11 } as const;

export type AttestationTopic = keyof typeof CLAIM_TYPES;

/** The data string each claim type is signed with, as in the Origin attestations document's responses. */
export const CLAIM_DATA: Readonly<Record<AttestationTopic, string>> = {
  facebook: 'facebook verified',
  twitter: 'twitter verified',
  phone: 'phone verified',
  email: 'email verified',
};

export interface Claim {
  /** Address of the ERC725 identity, any letter case. */
  identity: string;
  claimType: number;
  data: string;
}

/** The Origin attestations document's response body: field names as documented (`claim-type`). */
export interface SignedClaim {
  'claim-type': number;
  signature: string;
  data: string;
}

/**
 * `keccak256(abi.encodePacked(address identity, uint256 claimType, bytes32 keccak256(data)))`,
 * as a 0x-prefixed hex string. The identity is read checksum-insensitively: the packed bytes of
 * an address do not depend on its letter case.
 */
export function claimHash(claim: Claim): string {
  return `0x${Buffer.from(claimHashBytes(claim)).toString('hex')}`;
}

const ADDRESS = /^(0[xX])?[0-9a-fA-F]{40}$/; // what ethers' address encoder took, the prefix optional

/** The claim hash's 32 bytes, packed by hand: 20 address bytes, the type as 32 big-endian bytes, the data's hash. */
function claimHashBytes({ identity, claimType, data }: Claim): Uint8Array {
  if (!ADDRESS.test(identity)) throw new TypeError('claim identity must be an address (0x + 40 hex characters)');
  if (!Number.isSafeInteger(claimType) || claimType < 0) throw new TypeError('claim type must be a non-negative integer');
  const packed = Buffer.alloc(20 + 32 + 32);
  packed.write(identity.slice(-40), 0, 'hex');
  packed.writeBigUInt64BE(BigInt(claimType), 52 - 8); // a safe integer fits the uint256's low 8 bytes
  packed.set(dataHash(data), 52);
  return keccak_256(packed);
}

// The four data strings are constants: their hashes are computed once.
const utf8Hash = (text: string) => keccak_256(Buffer.from(text, 'utf8'));
const KNOWN_DATA_HASHES = new Map(Object.values(CLAIM_DATA).map((data) => [data, utf8Hash(data)]));
const dataHash = (data: string) => KNOWN_DATA_HASHES.get(data) ?? utf8Hash(data);

/**
 * What the attestation key signs as an Ethereum personal message (EIP-191):
 * - `bytes32` (the default): the 32 bytes of the claim hash, so the prefix is
 *   `"\x19Ethereum Signed Message:\n32"`. This is what Origin's on-chain `ClaimVerifier`
 *   recovers (`ecrecover(keccak256("\x19Ethereum Signed Message:\n32", hash), …)`), so only
 *   these claims are valid once added to an ERC725 identity;
 * - `legacy-hex-string`: the hash's 0x-hex *text* (66 characters, prefix `…:\n66`). An older
 *   bridge revision signed so, and only this reproduces the Origin attestations document's phone, facebook and twitter
 *   samples with the key 0x…01; such claims fail in the on-chain verifier.
 */
export type ClaimSignatureForm = 'bytes32' | 'legacy-hex-string';

export const CLAIM_SIGNATURE_FORMS: readonly ClaimSignatureForm[] = ['bytes32', 'legacy-hex-string'];

/** The personal message a claim is signed as, in `form`: the hash's bytes, or its 0x-hex text. */
function signedMessage(claim: Claim, form: ClaimSignatureForm): Uint8Array {
  const hash = claimHashBytes(claim);
  return form === 'bytes32' ? hash : Buffer.from(`0x${Buffer.from(hash).toString('hex')}`, 'utf8');
}

/** EIP-191's digest of a personal message: keccak256("\x19Ethereum Signed Message:\n" ‖ length ‖ message). */
function personalMessageDigest(message: Uint8Array): Uint8Array {
  return keccak_256(Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${message.length}`, 'utf8'), message]));
}

/**
 * The address that signed `claim` in `form` (default `bytes32`, the on-chain form), by ethers'
 * `verifyMessage` — loaded on the first call: no route recovers claims, and ethers is not
 * loaded at start (issue 17, idle RSS).
 */
export async function recoverClaimSigner(claim: Claim, signature: string, form: ClaimSignatureForm = 'bytes32'): Promise<string> {
  const { verifyMessage } = await import('ethers');
  return verifyMessage(signedMessage(claim, form), signature);
}

/** Signs claims with the attestation key; the key never leaves it. */
export interface ClaimSigner {
  /** The signer's checksummed address, which clients check claims against. */
  readonly address: string;
  /** How this signer signs (see `ClaimSignatureForm`). */
  readonly form: ClaimSignatureForm;
  sign(claim: Claim): Promise<string>;
}

/**
 * Signs with @noble/curves on core's secp256k1 worker threads, the key's bytes handed over once:
 * the same deterministic (RFC 6979), low-S signature ethers' `Wallet.signMessage` makes — r ‖ s ‖ v
 * with v = 27 + the recovery bit — without ethers' per-call objects, and without holding the event
 * loop for the signature's 0.3 ms. The claim is hashed here (keccak is cheap); the address is derived
 * here once.
 */
export function createClaimSigner(privateKey: string, form: ClaimSignatureForm = 'bytes32'): ClaimSigner {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(privateKey)) throw new TypeError('attestations: signerKey must be a hex private key (0x + 64 hex characters)');
  if (!CLAIM_SIGNATURE_FORMS.includes(form)) throw new TypeError(`attestations: signatureForm must be one of ${CLAIM_SIGNATURE_FORMS.join(', ')}`);
  const key = Buffer.from(privateKey.replace(/^0x/, ''), 'hex');
  if (!secp256k1.utils.isValidPrivateKey(key)) throw new TypeError('attestations: signerKey is not a secp256k1 private key (zero, or not below the curve order)');
  const address = addressOfPublicKey(secp256k1.getPublicKey(key, false));
  const signingKey = secp256k1Workers().signingKey(key);
  return {
    address,
    form,
    async sign(claim) {
      const { compact, recovery } = await signingKey.sign(Buffer.from(personalMessageDigest(signedMessage(claim, form))).toString('hex'));
      return `0x${compact}${(27 + recovery).toString(16)}`;
    },
  };
}

/** The address of the well-known test key 0x…01, which must never sign in production. */
export const TEST_SIGNER_ADDRESS = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
