import { keccak256, toUtf8Bytes, verifyTypedData } from 'ethers';
import type { TypedDataRequest } from '@w3kit/core';
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

export const metadataHash = (metadata: NftMetadata): string => keccak256(toUtf8Bytes(canonicalJson(metadata)));

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

/** The address that signed the mint, for checks in tests and by clients. */
export function recoverMinter(domain: { name: string; chainId: number }, facts: MintFacts, signature: string): string {
  const typed = mintTypedData(domain, facts);
  return verifyTypedData(typed.domain, typed.types, typed.value, signature);
}
