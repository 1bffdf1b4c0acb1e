import { createHash } from 'node:crypto';

/**
 * The indexed form of a searchable value: the value itself when it is short, else `h:` and its
 * SHA-256. Exact-match search applies the same function to the query value, so long values
 * (descriptions) match exactly without indexing kilobytes of text.
 */
export function searchKey(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length <= 100 ? text : `h:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
