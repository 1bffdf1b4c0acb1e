import { readFileSync } from 'node:fs';
import { DidResolutionError, type KitDidResolver } from './did-resolver.js';

export interface RemoteDocument {
  contextUrl: string | null;
  documentUrl: string;
  document: unknown;
  /**
   * `static`: the URL always answers this document, so jsonld may keep the context it resolved
   * and processed from it across calls (its shared cache); never set for DIDs, whose keys rotate.
   */
  tag?: 'static';
}

/** A JSON-LD document loader: `jsonld` and `@digitalbazaar/vc` call it for every URL they need. */
export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** Why the loader refused a URL; verification reports `code`. */
export class DocumentLoaderError extends Error {
  override readonly name = 'DocumentLoaderError';
  constructor(
    readonly code: 'contextNotBundled' | 'didUnresolvable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// The context files shipped in packages/did/contexts, copied from the npm packages that publish
// them (see contexts/README.md), by the URL they are known under.
const CONTEXT_FILES: Record<string, string> = {
  'https://www.w3.org/2018/credentials/v1': 'credentials-v1.jsonld',
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://www.w3.org/ns/credentials/undefined-terms/v2': 'credentials-undefined-terms-v2.jsonld',
  'https://www.w3.org/ns/credentials/status/v1': 'credentials-status-v1.jsonld',
  'https://www.w3.org/ns/credentials/examples/v2': 'credentials-examples-v2.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://w3id.org/security/suites/ed25519-2020/v1': 'ed25519-2020-v1.jsonld',
  'https://w3id.org/security/suites/x25519-2020/v1': 'x25519-2020-v1.jsonld',
  'https://w3id.org/security/v1': 'security-v1.jsonld',
  'https://w3id.org/security/v2': 'security-v2.jsonld',
};

export const DATA_INTEGRITY_V2_CONTEXT = 'https://w3id.org/security/data-integrity/v2';

type ContextDocument = { '@context'?: unknown };
let bundled: ReadonlyMap<string, unknown> | undefined;
/** Every object of the bundled documents, each frozen: nothing can change what a context says once read. */
const frozen = new WeakSet<object>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !frozen.has(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    frozen.add(Object.freeze(value));
  }
  return value;
}

/**
 * A bundled document, deep-frozen but for a top-level `@context` list (security/v2's): jsonld's
 * context resolver writes every URL of such a list back in place, resolved against the
 * document's URL (the same absolute URL), and a frozen list would make that throw.
 */
function freezeDocument(document: ContextDocument): ContextDocument {
  const context = document['@context'];
  if (Array.isArray(context)) for (const entry of context as unknown[]) deepFreeze(entry);
  else deepFreeze(context);
  return Object.freeze(document);
}

/** Whether `value` is an object of a bundled context document (deep-frozen: its identity stands for its content). */
export const isBundledContextObject = (value: object): boolean => frozen.has(value);

/**
 * The data-integrity/v2 context is not published in any npm package the kit depends on. Its
 * two term definitions are exactly the ones the VC 2.0 context inlines (`proof`, inside
 * `VerifiableCredential`, and `DataIntegrityProof`), so it is built from the shipped VC 2.0 context.
 */
function dataIntegrityContext(credentialsV2: { '@context': Record<string, { '@context'?: Record<string, unknown> }> }): ContextDocument {
  const v2 = credentialsV2['@context'];
  const proof = v2['VerifiableCredential']?.['@context']?.['proof'];
  const definition = v2['DataIntegrityProof'];
  if (!proof || !definition) throw new Error('the shipped VC 2.0 context lacks the proof or DataIntegrityProof definition');
  return { '@context': { id: '@id', type: '@type', '@protected': true, proof, DataIntegrityProof: definition } };
}

/** Every context the kit knows, read once from the files the package ships. */
export function bundledContexts(): ReadonlyMap<string, unknown> {
  if (!bundled) {
    const documents = new Map<string, unknown>();
    const dir = new URL('../contexts/', import.meta.url);
    for (const [url, file] of Object.entries(CONTEXT_FILES)) {
      documents.set(url, freezeDocument(JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as ContextDocument));
    }
    documents.set(DATA_INTEGRITY_V2_CONTEXT, freezeDocument(dataIntegrityContext(documents.get('https://www.w3.org/ns/credentials/v2') as never)));
    bundled = documents;
  }
  return bundled;
}

/**
 * An embedded context with the one term of the status context a credential's entry uses,
 * `BitstringStatusListEntry`, defined as the shipped status/v1 context defines it (protected,
 * so the same term cannot mean something else in the credential).
 */
export function statusEntryContext(): Record<string, unknown> {
  const status = bundledContexts().get('https://www.w3.org/ns/credentials/status/v1') as { '@context': Record<string, unknown> };
  return { '@protected': true, BitstringStatusListEntry: status['@context']['BitstringStatusListEntry'] };
}

/**
 * A document loader that never touches the network: JSON-LD contexts come from the files the
 * package ships, DIDs and DID URLs from the offline resolver. Anything else is refused with an
 * error that names the URL.
 */
export function createDocumentLoader(resolver: KitDidResolver): DocumentLoader {
  const contexts = bundledContexts();
  return async (url) => {
    const context = contexts.get(url);
    if (context !== undefined) return { contextUrl: null, documentUrl: url, document: context, tag: 'static' };
    if (url.startsWith('did:')) {
      try {
        return { contextUrl: null, documentUrl: url, document: await resolver.dereference(url) };
      } catch (error) {
        if (error instanceof DidResolutionError) throw new DocumentLoaderError('didUnresolvable', error.message, { cause: error });
        throw error;
      }
    }
    throw new DocumentLoaderError(
      'contextNotBundled',
      `the JSON-LD document ${url.slice(0, 200)} is not bundled with this server, which loads nothing from the network; known contexts: ${[...contexts.keys()].join(', ')}`,
    );
  };
}
