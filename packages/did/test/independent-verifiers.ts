/// <reference path="../src/digitalbazaar.d.ts" />
// Verifiers that share no code with the kit's verification: did-jwt-vc over ethr-did-resolver
// (asking a registry that holds no changes), and @digitalbazaar/vc over Digital Bazaar's own
// security-document-loader. Only the JSON-LD context files no installed package publishes
// (data-integrity/v2) or that security-document-loader lacks (status/v1) come from the kit.
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { securityLoader } from '@digitalbazaar/security-document-loader';
import type { DocumentLoader } from '@digitalbazaar/vc';
import { bundledContexts } from '@w3kit/did';
import { Resolver } from 'did-resolver';
import { JsonRpcProvider, Network } from 'ethers';
import { getResolver } from 'ethr-did-resolver';

/** A JSON-RPC provider for a chain whose DID registry holds no change for any address: every `changed()` call answers 0. */
export class RegistryWithoutChanges extends JsonRpcProvider {
  readonly methods: string[] = [];
  constructor(chainId: number) {
    super('http://127.0.0.1:9', chainId, { staticNetwork: Network.from(chainId) });
  }
  override async send(method: string): Promise<unknown> {
    this.methods.push(method);
    if (method === 'eth_call') return `0x${'0'.repeat(64)}`;
    throw new Error(`unexpected JSON-RPC call ${method}`);
  }
}

/** ethr-did-resolver itself, on mainnet, against a registry without changes. */
export function ethrReferenceResolver(): Resolver {
  // `as never`: the stub answers only the calls the resolver makes, not all of ethers’ Provider
  return new Resolver(getResolver({ networks: [{ name: 'mainnet', chainId: 1, provider: new RegistryWithoutChanges(1) as never }] }));
}

/**
 * Digital Bazaar's security loader (its own Ed25519 did:key driver), a P-256 did:key driver, and
 * `fetchDocument` for the status list URLs (the test fetches them from the kit over HTTP).
 */
export function referenceDocumentLoader(fetchDocument: (url: string) => Promise<unknown>): DocumentLoader {
  const loader = securityLoader();
  for (const url of ['https://w3id.org/security/data-integrity/v2', 'https://www.w3.org/ns/credentials/status/v1']) loader.addStatic(url, bundledContexts().get(url));
  const base = loader.build();
  const p256 = didKeyDriver();
  p256.use({ multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from });
  return async (url) => {
    if (url.startsWith('did:key:zDna')) return { contextUrl: null, documentUrl: url, document: await p256.get({ url }) };
    if (url.startsWith('http://127.0.0.1')) return { contextUrl: null, documentUrl: url, document: await fetchDocument(url) };
    return base(url);
  };
}
