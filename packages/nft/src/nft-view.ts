import type { NftRecord } from './nft-store.js';

/** The seed's NFT object (mint response, fetch, lists), plus visibility and the two wallet addresses. */
export interface NftView {
  token_id: string;
  token_uri: string;
  minter_digital_signature: string;
  created_at: string;
  metadata: NftRecord['metadata'];
  visibility: NftRecord['visibility'];
  holder_id_wallet_address: string;
  minter_id_wallet_address: string;
}

export function toView(token: NftRecord, tokenUriBase: string): NftView {
  return {
    token_id: token.tokenId,
    token_uri: `${tokenUriBase}/nft/${token.tokenId}/metadata`,
    minter_digital_signature: token.minterSignature,
    created_at: token.createdAt.toISOString(),
    metadata: token.metadata,
    visibility: token.visibility,
    holder_id_wallet_address: token.holderAddress,
    minter_id_wallet_address: token.minterAddress,
  };
}

const ATTRIBUTE_SKIP = new Set(['external_url', 'youtube_url', 'background_color', 'attributes', 'properties', 'localization']);

/**
 * ERC-721 metadata JSON (the document `token_uri` points at): name, description, image and
 * animation_url from the static fields, external_url/youtube_url/background_color from the
 * dynamic ones, and one attribute per other scalar dynamic field, after any attributes the
 * minter supplied.
 */
export function erc721Metadata(token: NftRecord): Record<string, unknown> {
  const s = token.metadata.static;
  const d = token.metadata.dynamic;
  const supplied = Array.isArray(d['attributes']) ? (d['attributes'] as unknown[]) : [];
  const derived = Object.entries(d)
    .filter(([key, value]) => !ATTRIBUTE_SKIP.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'))
    .map(([trait_type, value]) => (typeof value === 'number' ? { trait_type, value, display_type: 'number' } : { trait_type, value }));
  const background = typeof d['background_color'] === 'string' ? d['background_color'].replace(/^#/, '') : undefined;
  return {
    name: s['name'],
    description: s['description'],
    image: s['image'],
    external_url: d['external_url'] ?? s['link'],
    animation_url: s['animation_url'],
    ...(typeof d['youtube_url'] === 'string' ? { youtube_url: d['youtube_url'] } : {}),
    ...(background ? { background_color: background } : {}),
    attributes: [...supplied, ...derived],
  };
}
