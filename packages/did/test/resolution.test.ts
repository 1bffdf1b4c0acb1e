/// <reference path="../src/digitalbazaar.d.ts" />
import assert from 'node:assert/strict';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { bundledContexts, createDidResolver, createDocumentLoader, DidResolutionError, DocumentLoaderError } from '@w3kit/did';
import { Resolver } from 'did-resolver';
import { getResolver } from 'ethr-did-resolver';
import { RegistryWithoutChanges } from './independent-verifiers.js';

describe('did: offline DID resolution', () => {
  const resolver = createDidResolver({ chainId: 1, networks: { mychain: 1337 } });

  it('builds the same did:ethr documents as ethr-did-resolver answers for DIDs without registry changes', async () => {
    const mainnet = new RegistryWithoutChanges(1);
    const sepolia = new RegistryWithoutChanges(11155111);
    const reference = new Resolver(
      getResolver({
        networks: [
          { name: 'mainnet', chainId: 1, provider: mainnet as never },
          { name: 'sepolia', chainId: 11155111, provider: sepolia as never, registry: '0x03d5003bf0e79C5F5223588F347ebA39AfbC3818' },
        ],
      }),
    );
    const dids = [
      'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4',
      'did:ethr:0x02b97c30de767f084ce3080168ee293053ba33b235d7116a3263d29f1450936b71',
      'did:ethr:sepolia:0xd284cdc964af8a01d82d0caa7deeba82785b54f4',
      'did:ethr:0xaa36a7:0xd284cdc964af8a01d82d0caa7deeba82785b54f4',
      'did:ethr:0xD284CDC964AF8A01D82D0CAA7DEEBA82785B54F4',
    ];
    for (const did of dids) {
      const expected = await reference.resolve(did);
      assert.equal(expected.didResolutionMetadata.error, undefined, did);
      assert.deepEqual((await resolver.resolve(did)).didDocument, expected.didDocument, did);
    }
    // the reference really asked the registry, once per DID; ours asked no one
    assert.ok(mainnet.methods.length >= 3 && mainnet.methods.every((m) => m === 'eth_call'));
  });

  it('resolves chain ids, known network names and configured ones', async () => {
    const doc = await resolver.document('did:ethr:mychain:0xd284cdc964af8a01d82d0caa7deeba82785b54f4');
    assert.equal(doc.verificationMethod![0]!.blockchainAccountId, 'eip155:1337:0xd284CDC964aF8a01d82D0cAA7DeeBA82785B54f4');
    assert.equal((await resolver.document('did:ethr:0x89:0xd284cdc964af8a01d82d0caa7deeba82785b54f4')).verificationMethod![0]!.blockchainAccountId?.split(':')[1], '137');
    assert.equal(resolver.ethrDid('0xD284cdc964af8a01d82d0caa7deeba82785b54f4'), 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4');
    assert.equal(createDidResolver({ chainId: 11155111 }).ethrDid('0xd284cdc964af8a01d82d0caa7deeba82785b54f4'), 'did:ethr:0xaa36a7:0xd284cdc964af8a01d82d0caa7deeba82785b54f4');
  });

  it('resolves did:key for Ed25519 and P-256 keys, and dereferences their verification methods', async () => {
    const ed = await Ed25519Multikey.generate();
    const p256 = await EcdsaMultikey.generate({ curve: 'P-256' });
    for (const key of [ed, p256]) {
      const did = `did:key:${key.publicKeyMultibase}`;
      const doc = await resolver.document(did);
      assert.equal(doc.id, did);
      assert.deepEqual(doc.assertionMethod, [`${did}#${key.publicKeyMultibase}`]);
      const method = await resolver.dereference(`${did}#${key.publicKeyMultibase}`);
      assert.equal(method['type'], 'Multikey');
      assert.equal(method['publicKeyMultibase'], key.publicKeyMultibase);
    }
  });

  it('refuses an unknown method, an unknown network, an unsupported key type and garbage, with the reason', async () => {
    const cases: [string, string, RegExp][] = [
      ['did:web:example.com', 'unsupportedDidMethod', /did:web.*not supported.*did:ethr and did:key/],
      ['did:ethr:atlantis:0xd284cdc964af8a01d82d0caa7deeba82785b54f4', 'unknownNetwork', /network "atlantis" is unknown/],
      ['did:ethr:0x1234', 'invalidDid', /not a valid did:ethr/],
      ['did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', 'invalidDid', /Ed25519 and P-256/],
      ['not-a-did', 'invalidDid', /is not a DID/],
    ];
    for (const [did, code, message] of cases) {
      await assert.rejects(resolver.document(did), (e: unknown) => e instanceof DidResolutionError && e.code === code && message.test(e.message), did);
      const result = await resolver.resolve(did);
      assert.equal(result.didDocument, null);
      assert.equal(result.didResolutionMetadata.error, code);
    }
  });

  it('the document loader serves the bundled contexts and DIDs, and refuses every other URL without fetching it', async () => {
    const loader = createDocumentLoader(resolver);
    for (const url of bundledContexts().keys()) {
      const { document } = await loader(url);
      assert.ok((document as { '@context': unknown })['@context'], url);
    }
    assert.ok(bundledContexts().has('https://www.w3.org/ns/credentials/v2'));
    assert.ok(bundledContexts().has('https://www.w3.org/ns/credentials/status/v1'));
    const did = 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4';
    assert.equal(((await loader(`${did}#controller`)).document as { type: string }).type, 'EcdsaSecp256k1RecoveryMethod2020');
    const fetches: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request) => {
      fetches.push(String(input));
      throw new Error('no network in this test');
    };
    try {
      await assert.rejects(
        loader('https://example.com/contexts/v1'),
        (e: unknown) => e instanceof DocumentLoaderError && e.code === 'contextNotBundled' && /https:\/\/example\.com\/contexts\/v1 is not bundled/.test(e.message),
      );
      await assert.rejects(loader('did:web:example.com'), (e: unknown) => e instanceof DocumentLoaderError && e.code === 'didUnresolvable');
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.deepEqual(fetches, []);
  });

  it('builds the data-integrity/v2 context from the VC 2.0 context’s own definitions', () => {
    const di = bundledContexts().get('https://w3id.org/security/data-integrity/v2') as { '@context': Record<string, unknown> };
    const v2 = (bundledContexts().get('https://www.w3.org/ns/credentials/v2') as { '@context': Record<string, Record<string, Record<string, unknown>>> })['@context'];
    assert.deepEqual(di['@context']['DataIntegrityProof'], v2['DataIntegrityProof']);
    assert.deepEqual(di['@context']['proof'], { '@id': 'https://w3id.org/security#proof', '@type': '@id', '@container': '@graph' });
    assert.equal(di['@context']['@protected'], true);
  });
});
