import type { LedgerState } from '@w3kit/core';
import { isAllowedMetadataUrl } from './metadata-urls.js';
import type { NftRecord } from './nft-store.js';

/**
 * The Web3Connect document's NFT object (mint response, fetch, lists), plus visibility, the two wallet
 * addresses and the minting organization's verified domain.
 */
export interface NftView {
  token_id: string;
  token_uri: string;
  minter_digital_signature: string;
  created_at: string;
  metadata: NftRecord['metadata'];
  visibility: NftRecord['visibility'];
  holder_id_wallet_address: string;
  minter_id_wallet_address: string;
  /**
   * The domain the minting organization proved it controls (DNS TXT), or null when it has none
   * verified any more. `metadata.static.issuer` is whatever text the minter chose; this is what
   * the kit vouches for, so a reader can tell "Acme" minted by acme.com from "Acme" minted by
   * anyone else.
   */
  minter_verified_domain: string | null;
  /**
   * Only when a chain is configured (absent otherwise, so the object is exactly the Web3Connect document's): the
   * token's mint on chain, or null while it is not meant to be there (a private token).
   */
  chain?: LedgerState | null;
}

export function toView(token: NftRecord, tokenUri: string, minterDomain: string | null): NftView {
  return {
    token_id: token.tokenId,
    token_uri: tokenUri,
    minter_digital_signature: token.minterSignature,
    created_at: token.createdAt.toISOString(),
    metadata: token.metadata,
    visibility: token.visibility,
    holder_id_wallet_address: token.holderAddress,
    minter_id_wallet_address: token.minterAddress,
    minter_verified_domain: minterDomain,
  };
}

/** The trait the kit adds to ERC-721 attributes for the minter's verified domain; minters cannot supply it. */
export const MINTER_DOMAIN_TRAIT = 'minter_verified_domain';

const ATTRIBUTE_SKIP = new Set(['external_url', 'youtube_url', 'background_color', 'attributes', 'properties', 'localization']);

/** The URL if its scheme is allowed; undefined drops it (tokens minted before the mint check could carry any). */
const servedUrl = (value: unknown) => (typeof value === 'string' && isAllowedMetadataUrl(value) ? value : undefined);

const isMinterDomainTrait = (attribute: unknown) => typeof attribute === 'object' && attribute !== null && (attribute as { trait_type?: unknown }).trait_type === MINTER_DOMAIN_TRAIT;

/**
 * ERC-721 metadata JSON (the document `token_uri` points at): name, description, image and
 * animation_url from the static fields, external_url/youtube_url/background_color from the
 * dynamic ones, and one attribute per other scalar dynamic field, after any attributes the
 * minter supplied. The minter's verified domain is a top-level `minter_verified_domain` and
 * the last attribute; an attribute or dynamic key of that name from the minter is dropped, so
 * it cannot pose as the kit's.
 */
export function erc721Metadata(token: NftRecord, minterDomain: string | null): Record<string, unknown> {
  const s = token.metadata.static;
  const d = token.metadata.dynamic;
  const supplied = Array.isArray(d['attributes']) ? (d['attributes'] as unknown[]) : [];
  const derived = Object.entries(d)
    .filter(([key, value]) => !ATTRIBUTE_SKIP.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'))
    .map(([trait_type, value]) => (typeof value === 'number' ? { trait_type, value, display_type: 'number' } : { trait_type, value }));
  const vouched = minterDomain === null ? [] : [{ trait_type: MINTER_DOMAIN_TRAIT, value: minterDomain }];
  const background = typeof d['background_color'] === 'string' ? d['background_color'].replace(/^#/, '') : undefined;
  const youtube = servedUrl(d['youtube_url']);
  return {
    name: s['name'],
    description: s['description'],
    image: servedUrl(s['image']),
    external_url: servedUrl(d['external_url'] ?? s['link']),
    animation_url: servedUrl(s['animation_url']),
    ...(youtube ? { youtube_url: youtube } : {}),
    ...(background ? { background_color: background } : {}),
    minter_verified_domain: minterDomain,
    attributes: [...[...supplied, ...derived].filter((a) => !isMinterDomainTrait(a)), ...vouched],
  };
}
