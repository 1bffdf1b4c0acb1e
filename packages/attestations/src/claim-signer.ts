import { keccak256, solidityPackedKeccak256, toUtf8Bytes, verifyMessage, Wallet } from 'ethers';

/** ERC725 claim types of Origin's attestations. */
export const CLAIM_TYPES = { facebook: 3, twitter: 4, phone: 10, email: 11 } as const;

export type AttestationTopic = keyof typeof CLAIM_TYPES;

/** The data string each claim type is signed with, as in the seed's responses. */
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

/** The seed's response body: field names as documented (`claim-type`). */
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
 * Origin's signing scheme: the personal message signed is the claim hash's 0x-hex *text*
 * (66 characters, so the prefix is `"\x19Ethereum Signed Message:\n66"`), not its 32 bytes.
 * Only this reproduces the seed's phone, facebook and twitter samples with the key 0x…01;
 * signing the 32 bytes (`getBytes(hash)`) yields other signatures. Verifiers must therefore
 * recover with `verifyMessage(claimHash(claim), signature)`.
 */
export function recoverClaimSigner(claim: Claim, signature: string): string {
  return verifyMessage(claimHash(claim), signature);
}

/** Signs claims with the attestation key; the key never leaves it. */
export interface ClaimSigner {
  /** The signer's checksummed address, which clients check claims against. */
  readonly address: string;
  sign(claim: Claim): Promise<string>;
}

export function createClaimSigner(privateKey: string): ClaimSigner {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(privateKey)) throw new TypeError('attestations: signerKey must be a hex private key (0x + 64 hex characters)');
  const wallet = new Wallet(privateKey.startsWith('0x') ? privateKey : `0x${privateKey}`);
  return {
    address: wallet.address,
    sign: (claim) => wallet.signMessage(claimHash(claim)),
  };
}

/** The address of the well-known test key 0x…01, which must never sign in production. */
export const TEST_SIGNER_ADDRESS = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
