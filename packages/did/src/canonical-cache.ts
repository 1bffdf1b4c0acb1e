import { createHash } from 'node:crypto';
import type { Cryptosuite } from '@digitalbazaar/data-integrity';
import { bundledContexts } from './document-loader.js';
import { bundledContextResolver } from './processed-context-cache.js';

/**
 * Canonical N-Quads of documents a verifying cryptosuite canonicalized before, by a SHA-256 of
 * the suite, the options and the exact JSON it was given. Canonicalization (JSON-LD expansion,
 * toRDF, RDFC-1.0) is a pure function of those and of the contexts the document names; only a
 * document whose contexts are all the server's bundled files (fixed for the process, what the
 * document loader answers without the network) is kept, so the same input always had the same
 * output. A DID document can change (did:web, did:ethr keys rotate) and is never part of the
 * key: which key signed, whether the issuer authorizes it, the signature, dates and status are
 * checked on every request exactly as without the cache. Only successes are kept (a document
 * that fails in safe mode fails again). It pays when the same credential comes back, as the one
 * in every presentation a holder logs in with does.
 * Bounded: CANONICAL_CACHE_SIZE documents, the least recently used dropped first, none larger
 * than CANONICAL_CACHE_MAX_CHARS.
 */
export const CANONICAL_CACHE_SIZE = 256;
export const CANONICAL_CACHE_MAX_CHARS = 64 * 1024;

const canonical = new Map<string, string>();

/** Documents in the cache (for tests of its bound). */
export const canonicalCacheSize = (): number => canonical.size;

/** Plain JSON (what a parsed body is) with no `@context` in it. */
function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  // an embedded context anywhere could name another context (a URL, @import) the loader resolves
  return Object.entries(value).every(([k, v]) => k !== '@context' && isJsonValue(v));
}

/**
 * Whether canonicalizing `input` depends on nothing but its JSON and the bundled contexts: its
 * top-level `@context` is bundled URLs only, no other `@context` appears in it, and it is plain JSON.
 */
function dependsOnBundledContextsOnly(input: Record<string, unknown>): boolean {
  const contexts = bundledContexts();
  const top = ([] as unknown[]).concat(input['@context'] ?? []);
  if (top.length === 0 || !top.every((c) => typeof c === 'string' && contexts.has(c))) return false;
  return Object.entries(input).every(([k, v]) => k === '@context' || isJsonValue(v));
}

type Canonize = (input: Record<string, unknown>, options: Record<string, unknown>) => Promise<string>;

/** The key of a cacheable canonicalization, or null when this one must run. */
function keyOf(suite: string, input: Record<string, unknown>, options: Record<string, unknown>): string | null {
  const { documentLoader: _loader, ...rest } = options;
  if (!isJsonValue(rest) || !dependsOnBundledContextsOnly(input)) return null;
  return createHash('sha256')
    .update(JSON.stringify([suite, rest, input]))
    .digest('hex');
}

/** A verifying cryptosuite whose canonicalizations are kept as described above. */
export function withCanonicalCache<S extends Cryptosuite>(suite: S): S {
  const canonize = (suite as unknown as { canonize: Canonize }).canonize;
  const cached: Canonize = async (input, options) => {
    const key = keyOf(suite.name, input, options);
    if (key === null) return canonize(input, options);
    const hit = canonical.get(key);
    if (hit !== undefined) {
      canonical.delete(key); // most recently used last
      canonical.set(key, hit);
      return hit;
    }
    // what depends on the bundled contexts alone also reuses the contexts processed from them
    const result = await canonize(input, { ...options, contextResolver: bundledContextResolver('base' in options ? options['base'] : null) });
    if (result.length <= CANONICAL_CACHE_MAX_CHARS) {
      if (canonical.size >= CANONICAL_CACHE_SIZE) canonical.delete(canonical.keys().next().value!);
      canonical.set(key, result);
    }
    return result;
  };
  return { ...suite, canonize: cached };
}
