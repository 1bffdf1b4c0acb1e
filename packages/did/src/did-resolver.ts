import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { addressOfPublicKey, checksumAddress, lazyModule } from '@w3kit/core';
import { Resolver, type DIDDocument, type DIDResolutionResult, type Resolvable, type VerificationMethod } from 'did-resolver';
import type { deployments as Deployments } from 'ethr-did-resolver';
import type { EthrRegistryOptions } from './did-config.js';

/** Why a DID could not be resolved; `code` is what a verification result reports. */
export class DidResolutionError extends Error {
  override readonly name = 'DidResolutionError';
  constructor(
    readonly code: 'invalidDid' | 'unsupportedDidMethod' | 'unknownNetwork' | 'notFound',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DidResolverOptions {
  /** Chain id of the DIDs `ethrDid()` makes; 1 makes `did:ethr:0x…`. */
  chainId: number;
  /** Network names accepted beside ethr-did-resolver's known deployments. */
  networks?: Record<string, number>;
  /** Resolved documents kept (offline ones are pure functions of the DID). Default 1000. */
  cacheSize?: number;
  /** did:ethr of this chain resolves through its ERC-1056 registry; default none (offline only). */
  ethrRegistry?: EthrRegistryOptions | null;
  /** The clock of the registry documents' cache, in milliseconds; Date.now by default. */
  now?: () => number;
}

/**
 * DID resolution: did:ethr as the document a DID has before any registry change (what
 * ethr-did-resolver answers for such a DID, without asking a node) — or, for the chain of
 * `ethrRegistry`, what its EthereumDIDRegistry says now — and did:key (Ed25519 and P-256
 * Multikey). Any other method is an `unsupportedDidMethod` error.
 */
export interface KitDidResolver extends Resolvable {
  /** The DID resolution result of did-resolver, for did-jwt. */
  resolve(didUrl: string): Promise<DIDResolutionResult>;
  /** The DID document; throws DidResolutionError. */
  document(did: string): Promise<DIDDocument>;
  /** A DID URL with a fragment → the verification method (with the document's `@context`); without → the document. */
  dereference(didUrl: string): Promise<Record<string, unknown>>;
  /** The did:ethr of an address or public key on the configured chain. */
  ethrDid(addressOrPublicKey: string): string;
}

const ETHR_IDENTIFIER = /^(0x[0-9a-fA-F]{40}|0x[0-9a-fA-F]{66})$/;
// the contexts ethr-did-resolver puts on every JSON-LD document it answers
const ETHR_CONTEXT = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/secp256k1recovery-2020/v2', 'https://w3id.org/security/v3-unstable'];

function chainIdOf(network: string, names: Map<string, number>): number {
  if (/^0x[0-9a-fA-F]+$/.test(network)) {
    const id = Number(BigInt(network));
    if (!Number.isSafeInteger(id) || id <= 0) throw new DidResolutionError('unknownNetwork', `did:ethr network ${network} is not a chain id`);
    return id;
  }
  const id = names.get(network);
  if (id === undefined) throw new DidResolutionError('unknownNetwork', `did:ethr network "${network}" is unknown; use a chain id (did:ethr:0x89:0x…) or configure it in did({ networks })`);
  return id;
}

/** The chain id and identifier of a did:ethr; throws DidResolutionError. */
function parseEthr(did: string, names: Map<string, number>): { chainId: number; identifier: string } {
  const parts = did.split(':');
  const identifier = parts[parts.length - 1]!;
  if (parts.length < 3 || !ETHR_IDENTIFIER.test(identifier)) throw new DidResolutionError('invalidDid', `not a valid did:ethr: ${did}`);
  const network = parts.slice(2, -1).join(':') || 'mainnet';
  return { chainId: chainIdOf(network, names), identifier };
}

function ethrDocument(did: string, names: Map<string, number>): DIDDocument {
  const { chainId, identifier } = parseEthr(did, names);
  const publicKey = identifier.length > 42 ? identifier : null;
  let address: string;
  try {
    address = publicKey ? addressOfPublicKey(publicKey) : checksumAddress(identifier.toLowerCase());
  } catch {
    throw new DidResolutionError('invalidDid', `not a valid did:ethr public key: ${did}`);
  }
  const verificationMethod: VerificationMethod[] = [{ id: `${did}#controller`, type: 'EcdsaSecp256k1RecoveryMethod2020', controller: did, blockchainAccountId: `eip155:${chainId}:${address}` }];
  const relationships = [`${did}#controller`];
  if (publicKey) {
    verificationMethod.push({ id: `${did}#controllerKey`, type: 'EcdsaSecp256k1VerificationKey2019', controller: did, publicKeyHex: publicKey.slice(2) });
    relationships.push(`${did}#controllerKey`);
  }
  return {
    '@context': [...ETHR_CONTEXT],
    id: did,
    verificationMethod,
    authentication: relationships,
    assertionMethod: [...relationships],
  };
}

/**
 * The registry deployments ethr-did-resolver knows (their network names), read from its data
 * file alone: the resolver itself (and ethers under it) loads on the first registry read, not
 * at start (issue 17, idle RSS). Its package exports only the bundle, hence the path.
 */
function knownDeployments(): typeof Deployments {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('ethr-did-resolver')), 'config', 'deployments.js');
  return (require(file) as { deployments: typeof Deployments }).deployments;
}

/** ethr-did-resolver on the configured chain, with a provider that never waits for a node longer than RPC_TIMEOUT_MS; loaded with ethers on first use. */
async function registryResolver(registry: EthrRegistryOptions): Promise<Resolver> {
  const [{ FetchRequest, JsonRpcProvider, Network }, { getResolver: ethrRegistryResolver }] = await Promise.all([import('ethers'), import('ethr-did-resolver')]);
  const request = new FetchRequest(registry.rpcUrl);
  request.timeout = RPC_TIMEOUT_MS;
  // the chain is known: no network detection, which ethers retries for ever against a node that is down
  const provider = new JsonRpcProvider(request, registry.chainId, { staticNetwork: Network.from(registry.chainId) });
  // `as never`: ethr-did-resolver is typed against ethers' CommonJS build, the same classes at run time
  const network = { chainId: registry.chainId, provider: provider as never, ...(registry.registry ? { registry: registry.registry } : {}) };
  return new Resolver(ethrRegistryResolver({ networks: [network] }), { cache: false });
}

/** Longest wait for one JSON-RPC answer of the registry's node. */
const RPC_TIMEOUT_MS = 5000;

export function createDidResolver(options: DidResolverOptions): KitDidResolver {
  const names = new Map<string, number>();
  for (const d of knownDeployments()) if (d.name) names.set(d.name, Number(d.chainId));
  for (const [name, chainId] of Object.entries(options.networks ?? {})) names.set(name, chainId);
  const keys = didKeyDriver();
  keys.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
  keys.use({ multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from });
  const cacheSize = options.cacheSize ?? 1000;
  const clock = options.now ?? Date.now;
  // a registry document can change with any block: it is reused for cacheSeconds at most
  const cache = new Map<string, { document: Promise<DIDDocument>; expiresAt: number }>();
  const registry = options.ethrRegistry ?? null;
  const registryTtl = (registry?.cacheSeconds ?? 30) * 1000;
  const onChain = registry ? lazyModule(() => registryResolver(registry)) : null;

  /** The registry's document of a did:ethr of the configured chain. */
  async function registryDocument(did: string): Promise<DIDDocument> {
    // outside the try: a failed import is the server's fault (a 5xx), not a DID the registry lacks
    const resolver = await onChain!();
    let result: DIDResolutionResult;
    try {
      result = await resolver.resolve(did);
    } catch {
      // the node's own words (URLs, RPC errors) are not for clients
      throw new DidResolutionError('notFound', `the did:ethr registry of chain ${registry!.chainId} could not be read for ${did}`);
    }
    const error = result.didResolutionMetadata.error;
    if (error || !result.didDocument) {
      throw new DidResolutionError(error === 'invalidDid' ? 'invalidDid' : 'notFound', `the did:ethr registry of chain ${registry!.chainId} has no document for ${did}`);
    }
    return result.didDocument;
  }

  async function build(did: string): Promise<DIDDocument> {
    const method = /^did:([a-z0-9]+):/.exec(did)?.[1];
    if (method === 'ethr') return onChain && parseEthr(did, names).chainId === registry!.chainId ? registryDocument(did) : ethrDocument(did, names);
    if (method === 'key') {
      try {
        return (await keys.get({ did })) as unknown as DIDDocument;
      } catch (error) {
        // the did:key library's words stay in the cause (the log's): the client is told what the kit resolves
        throw new DidResolutionError('invalidDid', `cannot resolve ${did.slice(0, 200)}: not a did:key this server resolves (it supports Ed25519 and P-256 keys)`, { cause: error });
      }
    }
    if (!method) throw new DidResolutionError('invalidDid', `"${did.slice(0, 80)}" is not a DID`);
    throw new DidResolutionError('unsupportedDidMethod', `the DID method "did:${method}" is not supported; this server resolves did:ethr and did:key offline`);
  }

  /** How long a document of this DID may be reused: for ever offline, cacheSeconds from the registry. */
  function lifetimeOf(did: string): number {
    if (!onChain || !did.startsWith('did:ethr:')) return Infinity;
    try {
      return parseEthr(did, names).chainId === registry!.chainId ? registryTtl : Infinity;
    } catch {
      return Infinity;
    }
  }

  async function document(did: string): Promise<DIDDocument> {
    const bare = did.split(/[#?]/)[0]!;
    const now = clock();
    let cached = cache.get(bare);
    if (cached && cached.expiresAt <= now) {
      cache.delete(bare);
      cached = undefined;
    }
    if (!cached) {
      const entry = { document: build(bare), expiresAt: now + lifetimeOf(bare) };
      entry.document.catch(() => cache.get(bare) === entry && cache.delete(bare));
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      if (entry.expiresAt > now) cache.set(bare, entry);
      cached = entry;
    }
    return cached.document;
  }

  return {
    document,
    async resolve(didUrl) {
      try {
        return {
          didResolutionMetadata: { contentType: 'application/did+ld+json' },
          didDocument: await document(didUrl),
          didDocumentMetadata: {},
        };
      } catch (error) {
        if (!(error instanceof DidResolutionError)) throw error;
        return { didResolutionMetadata: { error: error.code, message: error.message }, didDocument: null, didDocumentMetadata: {} };
      }
    },
    async dereference(didUrl) {
      const doc = await document(didUrl);
      const hash = didUrl.indexOf('#');
      if (hash < 0) return doc;
      const fragment = didUrl.slice(hash);
      const method = [...(doc.verificationMethod ?? []), ...(doc.keyAgreement ?? []).filter((m) => typeof m === 'object')].find((m) => typeof m === 'object' && (m.id === didUrl || m.id === fragment));
      if (!method || typeof method !== 'object') throw new DidResolutionError('notFound', `${didUrl} names no verification method of ${doc.id}`);
      return { '@context': doc['@context'], ...method };
    },
    ethrDid(addressOrPublicKey) {
      const identifier = addressOrPublicKey.length > 42 ? addressOrPublicKey : addressOrPublicKey.toLowerCase();
      return options.chainId === 1 ? `did:ethr:${identifier}` : `did:ethr:0x${options.chainId.toString(16)}:${identifier}`;
    },
  };
}
