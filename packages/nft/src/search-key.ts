import { createHash } from 'node:crypto';
import type { NftMetadata } from './nft-store.js';
import type { SearchField } from './tables.js';
import { StaticMetadata } from './request-schemas.js';

/**
 * The value a search on `field` compares with, as text: the static field for the four static
 * ones (issuer, contents_provider, name, description), so an extra dynamic key of the same name
 * does not shadow them; the dynamic field for the rest. Non-string values (which the mint schema
 * does not let into a search field) as their JSON; absent or null: nothing to match.
 */
export function searchText(metadata: NftMetadata, field: SearchField): string | null {
  const value = Object.hasOwn(StaticMetadata.properties, field) ? metadata.static[field] : metadata.dynamic[field];
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The indexed form of a search text: the text itself when it is short, else `h:` and its
 * SHA-256. Exact-match search applies the same function to the query value, so long values
 * (descriptions) match exactly without indexing kilobytes of text. Two kinds of short text are
 * hashed too: one starting with `h:`, so a query cannot pose as the digest of a long value; and
 * one ending with a space, because MySQL's PAD SPACE collations (utf8mb4_bin included) compare
 * `'acme '` equal to `'acme'`, and a key never ending in a space cannot be padded into another.
 */
export function searchKey(text: string): string {
  const asItself = text.length <= 100 && !text.startsWith('h:') && !text.endsWith(' ');
  return asItself ? text : `h:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
