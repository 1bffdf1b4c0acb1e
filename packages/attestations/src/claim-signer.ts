import { getBytes, keccak256, solidityPackedKeccak256, toUtf8Bytes, verifyMessage, Wallet } from 'ethers';

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
export function claimHash({ identity, claimType, data }: Claim): string {
  // all lower case is never read as a (wrong) checksum; the encoder validates the address itself
  return solidityPackedKeccak256(['address', 'uint256', 'bytes32'], [identity.toLowerCase(), claimType, dataHash(data)]);
}

// The four data strings are constants: their hashes are computed once.
const KNOWN_DATA_HASHES = new Map(Object.values(CLAIM_DATA).map((data) => [data, keccak256(toUtf8Bytes(data))]));
const dataHash = (data: string) => KNOWN_DATA_HASHES.get(data) ?? keccak256(toUtf8Bytes(data));

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

/** The personal message a claim is signed as, in `form`. */
const signedMessage = (claim: Claim, form: ClaimSignatureForm): string | Uint8Array => (form === 'bytes32' ? getBytes(claimHash(claim)) : claimHash(claim));

/** The address that signed `claim` in `form` (default `bytes32`, the on-chain form). */
export function recoverClaimSigner(claim: Claim, signature: string, form: ClaimSignatureForm = 'bytes32'): string {
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

export function createClaimSigner(privateKey: string, form: ClaimSignatureForm = 'bytes32'): ClaimSigner {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(privateKey)) throw new TypeError('attestations: signerKey must be a hex private key (0x + 64 hex characters)');
  if (!CLAIM_SIGNATURE_FORMS.includes(form)) throw new TypeError(`attestations: signatureForm must be one of ${CLAIM_SIGNATURE_FORMS.join(', ')}`);
  const wallet = new Wallet(privateKey.startsWith('0x') ? privateKey : `0x${privateKey}`);
  return {
    address: wallet.address,
    form,
    sign: (claim) => wallet.signMessage(signedMessage(claim, form)),
  };
}

/** The address of the well-known test key 0x…01, which must never sign in production. */
export const TEST_SIGNER_ADDRESS = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
