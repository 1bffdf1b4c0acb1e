import type { FieldIssue } from '@w3kit/core';
import type { NftMetadata } from './nft-store.js';

/**
 * Schemes a metadata URL may use. Wallets and marketplaces put these URLs into `<img src>`,
 * `<a href>` and `<video>`: `javascript:` runs script in their page, `data:` carries arbitrary
 * content (SVG with script, HTML) under no origin, and `http:` can be rewritten by anyone on
 * the path. `ipfs:` is the content-addressed form NFT tooling resolves through a gateway.
 */
export const ALLOWED_URL_SCHEMES = ['https:', 'ipfs:'] as const;

/** The URL fields of the Web3Connect document's metadata: `"url"` in `static`, the `*_url` fields of `dynamic`. */
export const URL_FIELDS = { static: ['image', 'link', 'animation_url'], dynamic: ['external_url', 'youtube_url'] } as const;

/**
 * True for an absolute URL with an allowed scheme and a host, and for the empty string (the
 * static URL fields are required by the Web3Connect document, so "none" is sent as `""`). The check parses as
 * browsers do (WHATWG URL), so `JavaScript:`, ` javascript:` or `java\tscript:` are the same
 * scheme to it as to the page that would render the link.
 */
export function isAllowedMetadataUrl(value: string): boolean {
  if (value === '') return true;
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (ALLOWED_URL_SCHEMES as readonly string[]).includes(url.protocol) && url.hostname !== '';
}

const MESSAGE = `must be an ${ALLOWED_URL_SCHEMES.join(' or ')} URL.`;

/** One issue per URL field of the metadata that is a string but not an allowed URL. */
export function metadataUrlIssues(metadata: NftMetadata): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const part of ['static', 'dynamic'] as const) {
    for (const field of URL_FIELDS[part]) {
      const value = metadata[part][field];
      if (typeof value === 'string' && !isAllowedMetadataUrl(value)) issues.push({ field: `metadata.${part}.${field}`, message: MESSAGE });
    }
  }
  return issues;
}
