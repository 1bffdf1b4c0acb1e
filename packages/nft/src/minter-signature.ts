import { keccak256Hex, recoverTypedDataSigner, type TypedDataRequest } from '@w3kit/core';
import type { NftMetadata } from './nft-store.js';

/** JSON with object keys sorted at every level: one byte string per metadata value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const metadataHash = (metadata: NftMetadata): string => keccak256Hex(canonicalJson(metadata));

/** The EIP-712 types the minter signs: anyone can check a token with the minter's public info. */
export const MINT_TYPES = {
  CredentialNFT: [
    { name: 'tokenId', type: 'bytes32' },
    { name: 'holder', type: 'address' },
    { name: 'minter', type: 'address' },
    { name: 'metadataHash', type: 'bytes32' },
    { name: 'createdAt', type: 'string' },
  ],
};

export interface MintFacts {
  tokenId: string;
  holder: string;
  minter: string;
  metadataHash: string;
  /** ISO 8601, as in the token's `created_at`. */
  createdAt: string;
}

export function mintTypedData(domain: { name: string; chainId: number }, facts: MintFacts): TypedDataRequest {
  return { domain: { name: domain.name, version: '1', chainId: domain.chainId }, types: MINT_TYPES, value: { ...facts } };
}

/** The address (EIP-55) that signed the mint, for checks in tests and by clients. */
export const recoverMinter = (domain: { name: string; chainId: number }, facts: MintFacts, signature: string): string => recoverTypedDataSigner(mintTypedData(domain, facts), signature);
