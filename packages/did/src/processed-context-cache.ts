import { bundledContexts, isBundledContextObject } from './document-loader.js';

/**
 * Active contexts jsonld processed from the bundled context files, kept across verifications.
 *
 * jsonld keeps a processed context by the identity of the active context it was processed on
 * (`ResolvedContext.getProcessed`), and it makes a new active context for every type-scoped
 * context it applies (`VerifiableCredential`, `DataIntegrityProof`): it clones the whole active
 * context (every term definition, deeply) before it looks in that cache, so the lookup never
 * hits across documents and every verification processes the same scoped contexts again, and
 * deep-clones the active context each time it steps back out of one. A CPU profile of
 * `pnpm bench did-verify` with new credentials: a third of the kit's time in that processing,
 * most of it `util.clone`.
 *
 * This is jsonld's `contextResolver` option (what it resolves `@context` values with), given
 * only to a canonicalization whose document names bundled contexts alone (canonical-cache.ts).
 * Its processed contexts are kept by what they were derived from, not by object identity: the
 * initial context (its processing mode and the call's base), then each context processed on it,
 * by the identity of the bundled context's object — the bundled documents are deep-frozen
 * (document-loader.ts), so an object always has the content it had — and whether a type-scoped
 * context was applied on top (the `previousContext` jsonld reverts to). Equal keys mean equal
 * active contexts; the key never holds anything of the credential, the proof or a DID document.
 * A processing that redefines a protected term (allowed when jsonld overrides protection, an
 * error when it does not — jsonld's own cache does not tell the two apart, and neither does the
 * lookup here) is not kept unless its result is the same either way. Anything that is not a
 * bundled context object (a document's embedded context never reaches here) is processed as
 * jsonld would, without the cache.
 *
 * The active contexts it keeps step back out of a type-scoped context by returning the context
 * they were derived from (jsonld clones it) and clone their term definitions by reference (jsonld
 * deep-clones them): jsonld never changes an active context once it is made — it clones before
 * it defines a term, and its own cache hands the same processed context to every document — nor
 * a term definition once it is defined.
 * Bounded: PROCESSED_CONTEXT_CACHE_SIZE active contexts, the least recently used dropped first.
 */
export const PROCESSED_CONTEXT_CACHE_SIZE = 256;

/** The part of jsonld's active context this file reads and writes. */
interface ActiveContext {
  mappings: Map<string, TermDefinition | null>;
  protected: Record<string, boolean>;
  previousContext?: ActiveContext;
  processingMode?: string;
  inverse: unknown;
  getInverse: unknown;
  clone(): ActiveContext;
  revertToPreviousContext(): ActiveContext;
  '@base'?: unknown;
  '@vocab'?: unknown;
  '@language'?: unknown;
  '@direction'?: unknown;
  '@version'?: unknown;
}
type TermDefinition = Record<string, unknown> & { protected?: boolean };

/** What jsonld keeps per processed context: the new active context and the events to replay. */
interface Processed {
  context: ActiveContext;
  events: unknown[];
}

/** jsonld's ResolvedContext, as `api.process` uses it. */
interface ResolvedContextView {
  document: unknown;
  getProcessed(activeCtx: ActiveContext): Processed | undefined;
  setProcessed(activeCtx: ActiveContext, processed: Processed): void;
}

/** What jsonld calls on its `contextResolver` option. */
export interface JsonLdContextResolver {
  resolve(options: { activeCtx: ActiveContext; context: unknown }): Promise<ResolvedContextView[]>;
}

const processed = new Map<string, Processed>();
/** The derivation key of every active context the cache made or handed out. */
const keys = new WeakMap<ActiveContext, string>();
/** A number per bundled context object, by identity (they are deep-frozen). */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/** Processed contexts in the cache (for tests of its bound). */
export const processedContextCacheSize = (): number => processed.size;

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

function objectId(context: object): number {
  let id = objectIds.get(context);
  if (id === undefined) objectIds.set(context, (id = nextObjectId++));
  return id;
}

/** The context documents a bundled URL stands for, as jsonld resolves it (a document's `@context` array flattened, URLs in it resolved). */
const resolvedUrls = new Map<string, unknown[]>();
function documentsOf(url: string, seen: Set<string> = new Set()): unknown[] {
  let documents = resolvedUrls.get(url);
  if (documents) return documents;
  const bundled = bundledContexts().get(url);
  // the canonicalizations given this resolver name bundled contexts only, and those name no other
  if (!isObject(bundled) || seen.has(url)) throw new Error(`${url.slice(0, 200)} is not a bundled context`);
  seen.add(url);
  documents = ([] as unknown[]).concat(bundled['@context'] ?? {}).flatMap((d) => (typeof d === 'string' ? documentsOf(d, seen) : [d]));
  resolvedUrls.set(url, documents);
  return documents;
}

/** jsonld's initial active context: no terms, nothing inherited, only a processing mode. */
function isInitial(context: ActiveContext): boolean {
  return (
    context.mappings.size === 0 &&
    !context.previousContext &&
    Object.keys(context.protected).length === 0 &&
    !('@base' in context || '@vocab' in context || '@language' in context || '@direction' in context || '@version' in context)
  );
}

/** Plain JSON equality, no more lenient than jsonld's `_deepCompare` of term definitions. */
function sameJson(a: unknown, b: unknown): boolean {
  if (!a || typeof a !== 'object' || !b || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Whether processing `local` on `before` gave `after` whether or not jsonld overrode protected
 * terms: every term `local` defines that `before` protects is protected by `local` itself and
 * defined exactly as before (jsonld then neither refuses it nor leaves it unprotected).
 */
function sameWithoutOverride(before: ActiveContext, local: Record<string, unknown>, after: ActiveContext): boolean {
  for (const term of Object.keys(local)) {
    if (before.mappings.get(term)?.protected !== true) continue;
    const value = local[term];
    const own = isObject(value) ? value['@protected'] : undefined;
    if (!(own === true || (local['@protected'] === true && own !== false))) return false;
    if (!sameJson(before.mappings.get(term), after.mappings.get(term))) return false;
  }
  return true;
}

// jsonld's clone, with term definitions by reference and the previous context kept as it is
function cloneKept(this: ActiveContext): ActiveContext {
  const child = {
    mappings: new Map(this.mappings),
    clone: this.clone,
    inverse: null,
    getInverse: this.getInverse,
    protected: { ...this.protected },
    revertToPreviousContext: this.revertToPreviousContext,
  } as ActiveContext;
  if (this.previousContext) child.previousContext = this.previousContext;
  if ('@base' in this) child['@base'] = this['@base'];
  if ('@language' in this) child['@language'] = this['@language'];
  if ('@vocab' in this) child['@vocab'] = this['@vocab'];
  return child;
}
function revertKept(this: ActiveContext): ActiveContext {
  return this.previousContext ?? this;
}

/** The result of processing `local` (document `ctxKey`) on an active context whose key is `key`, as the cache keeps it. */
function keep(key: string, before: ActiveContext, local: unknown, value: Processed): void {
  const context = value?.context;
  if (!isObject(local) || !context || !(context.mappings instanceof Map) || !Array.isArray(value.events)) return;
  const body = isObject(local['@context']) ? local['@context'] : local;
  if (!sameWithoutOverride(before, body, context)) return;
  context.clone = cloneKept;
  context.revertToPreviousContext = revertKept;
  keys.set(context, key);
  if (processed.size >= PROCESSED_CONTEXT_CACHE_SIZE) processed.delete(processed.keys().next().value!);
  processed.set(key, value);
}

/**
 * A resolver for one canonicalization (jsonld's `contextResolver` option), of a document whose
 * every context is bundled; `base` is the call's base IRI, part of every key.
 */
export function bundledContextResolver(base: unknown): JsonLdContextResolver {
  const initial = `initial ${typeof base === 'string' ? JSON.stringify(base) : String(base)}`;
  /** The key of an active context, or null when it is not one the cache can name. */
  const keyOf = (context: ActiveContext): string | null => keys.get(context) ?? (isInitial(context) ? `${initial} ${String(context.processingMode)}` : null);

  function view(document: unknown, applying: ActiveContext, first: boolean): ResolvedContextView {
    const cacheable = isObject(document) && isBundledContextObject(document) && !('@import' in document);
    const id = cacheable ? objectId(document) : -1;
    // jsonld asks with the active context it resolved on, or — applying a type-scoped context
    // (not propagated) to a context without a previous one — with a fresh clone of it whose
    // previous context is that one; only the first context of a list is asked with that clone
    const keyFor = (asked: ActiveContext): string | null => {
      const known = keyOf(asked);
      if (known !== null || !first || asked.previousContext !== applying) return known;
      const below = keyOf(applying);
      return below === null ? null : `${below} ^`;
    };
    return {
      document,
      getProcessed(asked) {
        const key = cacheable ? keyFor(asked) : null;
        const hit = key === null ? undefined : processed.get(`${key} > ${id}`);
        if (hit) {
          processed.delete(`${key} > ${id}`); // most recently used last
          processed.set(`${key} > ${id}`, hit);
        }
        return hit;
      },
      setProcessed(asked, value) {
        const key = cacheable ? keyFor(asked) : null;
        if (key !== null) keep(`${key} > ${id}`, asked, document, value);
      },
    };
  }

  return {
    async resolve({ activeCtx, context }) {
      // as jsonld's ContextResolver: `{ "@context": … }` stands for its value, a list for its entries
      const local = isObject(context) && context['@context'] ? context['@context'] : context;
      const documents = ([] as unknown[]).concat(local).flatMap((c) => (typeof c === 'string' ? documentsOf(c) : [c]));
      return documents.map((document, i) => {
        if (document !== null && !isObject(document)) throw new TypeError('Invalid JSON-LD syntax; @context must be an object.');
        return view(document, activeCtx, i === 0);
      });
    },
  };
}
