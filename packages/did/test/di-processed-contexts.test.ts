/// <reference path="../src/digitalbazaar.d.ts" />
// Issue 17 item 3, credentials not seen before: the active contexts jsonld processed from the
// bundled context files are kept across verifications (processed-context-cache.ts). What this
// checks: the canonical N-Quads are byte for byte jsonld's own without the cache, for ordinary
// and for awkward documents, in any order, cold and warm; the same errors where jsonld refuses;
// the bound; and that nothing of a credential or a key is kept — a changed claim, a proof moved
// to another issuer and a rotated key all fail after cached successes with the same contexts.
import assert from 'node:assert/strict';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { verifyDataIntegrityCredential } from '../src/data-integrity.js';
import { createDidResolver } from '../src/did-resolver.js';
import { bundledContexts, createDocumentLoader, isBundledContextObject, type DocumentLoader } from '../src/document-loader.js';
import { decodedKeyCacheSize, ED25519_KEY_CACHE_SIZE, withCachedEd25519Keys } from '../src/ed25519-key-cache.js';
import { bundledContextResolver, PROCESSED_CONTEXT_CACHE_SIZE, processedContextCacheSize } from '../src/processed-context-cache.js';
import { appFor, didKit, poster, rotatingIssuer } from './support.js';

type Json = Record<string, unknown>;
type Key = Awaited<ReturnType<typeof Ed25519Multikey.generate>>;

const loader = createDocumentLoader(createDidResolver({ chainId: 1 }));
const V1 = 'https://www.w3.org/2018/credentials/v1';
const V2 = 'https://www.w3.org/ns/credentials/v2';
const UNDEFINED_TERMS = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
const DI = 'https://w3id.org/security/data-integrity/v2';
const ED25519_2020 = 'https://w3id.org/security/suites/ed25519-2020/v1';
const HOLDER = 'did:example:holder';

// the suite's own canonicalization, which the kit's verifying suite wraps (canonical-cache.ts)
const suiteCanonize = (eddsaRdfc2022 as unknown as { canonize: (input: Json, options: Json) => Promise<string> }).canonize;
/** jsonld's own canonicalization, or the message of its error. */
const plain = (doc: Json) => suiteCanonize(structuredClone(doc), { documentLoader: loader }).catch((e: Error) => `error: ${e.message}`);
/** The same through the cache's resolver. */
const cached = (doc: Json) => suiteCanonize(structuredClone(doc), { documentLoader: loader, contextResolver: bundledContextResolver(null) }).catch((e: Error) => `error: ${e.message}`);

/** `doc` without the named members. */
const without = (doc: Json, ...names: string[]): Json => Object.fromEntries(Object.entries(doc).filter(([k]) => !names.includes(k)));
const credential = (context: unknown[], extra: Json = {}, subject: Json = { name: 'Lee' }): Json => ({
  '@context': context,
  type: ['VerifiableCredential'],
  issuer: 'did:example:issuer',
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: { id: HOLDER, ...subject },
  ...extra,
});
const proofOptions = (context: unknown[]): Json => ({
  '@context': context,
  type: 'DataIntegrityProof',
  cryptosuite: 'eddsa-rdfc-2022',
  created: '2026-01-01T00:00:00Z',
  verificationMethod: 'did:example:issuer#key-1',
  proofPurpose: 'assertionMethod',
});

/** Documents naming bundled contexts only: what verifications canonicalize, and what jsonld must treat with care. */
const DOCUMENTS: [string, Json][] = [
  ['a VC 2.0 credential', credential([V2, UNDEFINED_TERMS], {}, { name: 'Lee', phone: '010-1234-5678' })],
  ['its proof options', proofOptions([V2, UNDEFINED_TERMS])],
  [
    'a credential with a status entry and dates',
    credential([V2], {
      validUntil: '2027-01-01T00:00:00Z',
      credentialStatus: {
        id: 'https://example.org/status/1#5',
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '5',
        statusListCredential: 'https://example.org/status/1',
      },
    }),
  ],
  [
    'a credential with a proof inside (a graph container)',
    credential([V2, UNDEFINED_TERMS], {
      proof: { ...without(proofOptions([V2]), '@context'), proofValue: 'z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKcLN8hvTLcqtHR4K4' },
    }),
  ],
  [
    'a credential subject that is itself typed VerifiableCredential (a type-scoped context inside one)',
    credential([V2, UNDEFINED_TERMS], {}, { type: 'VerifiableCredential', name: 'nested', validFrom: '2026-02-01T00:00:00Z' }),
  ],
  [
    'VerifiableCredential used as a property (its scoped context as a property-scoped one)',
    credential([V2, UNDEFINED_TERMS], {}, { VerifiableCredential: { type: 'VerifiableCredential', name: 'x', issuer: 'did:example:other' } }),
  ],
  [
    'VerifiableCredential as a property, after its type: its terms reach nested nodes only as a property-scoped context',
    credential([V2, UNDEFINED_TERMS], {}, { VerifiableCredential: { nested: { issuer: 'did:example:nested', validFrom: '2026-03-01T00:00:00Z' } } }),
  ],
  ['DataIntegrityProof used as a property', credential([V2, UNDEFINED_TERMS], {}, { DataIntegrityProof: { cryptosuite: 'eddsa-rdfc-2022', created: '2026-01-01T00:00:00Z' } })],
  [
    'a subject reference and value objects',
    credential(
      [V2, UNDEFINED_TERMS],
      { evidence: { id: 'https://example.org/evidence/1' } },
      { name: { '@value': 'Lee', '@language': 'en' }, age: { '@value': '30', '@type': 'http://www.w3.org/2001/XMLSchema#integer' } },
    ),
  ],
  [
    'two types with scoped contexts on one node',
    credential(
      [V2],
      { type: ['VerifiableCredential', 'BitstringStatusListCredential'] },
      { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA' },
    ),
  ],
  ['a presentation with a credential in it', { '@context': [V2, UNDEFINED_TERMS], type: ['VerifiablePresentation'], holder: HOLDER, verifiableCredential: [credential([V2, UNDEFINED_TERMS])] }],
  ['a VC 1.1 credential with the data integrity context', { ...without(credential([V1, DI]), 'validFrom'), issuanceDate: '2026-01-01T00:00:00Z', credentialSubject: { id: HOLDER } }],
  ['its proof options', proofOptions([V1, DI])],
  ['a VC 1.1 credential with the Ed25519Signature2020 context', { ...without(credential([V1, ED25519_2020]), 'validFrom'), issuanceDate: '2026-01-01T00:00:00Z', credentialSubject: { id: HOLDER } }],
  [
    'Ed25519Signature2020 proof options',
    { '@context': [V1, ED25519_2020], type: 'Ed25519Signature2020', created: '2026-01-01T00:00:00Z', verificationMethod: 'did:example:issuer#key-1', proofPurpose: 'assertionMethod' },
  ],
  [
    'a DID document',
    {
      '@context': ['https://www.w3.org/ns/did/v1', ED25519_2020],
      id: 'did:example:issuer',
      verificationMethod: [
        { id: 'did:example:issuer#key-1', type: 'Ed25519VerificationKey2020', controller: 'did:example:issuer', publicKeyMultibase: 'z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' },
      ],
      assertionMethod: ['did:example:issuer#key-1'],
    },
  ],
  ['security v2 (a context that names another)', { '@context': 'https://w3id.org/security/v2', id: 'did:example:issuer#key-1', type: 'Ed25519VerificationKey2018', controller: 'did:example:issuer' }],
  [
    'the examples context on VC 2.0',
    credential(
      [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
      { type: ['VerifiableCredential', 'ExampleDegreeCredential'] },
      { degree: { type: 'ExampleBachelorDegree', name: 'Bachelor of Science' } },
    ),
  ],
  // Ed25519Signature2018's scoped context redefines terms DataIntegrityProof's protects: allowed
  // as a property-scoped context (jsonld overrides protection there), refused as a second type
  // on the same node — the same context on the same active context, which must not share a result
  [
    'Ed25519Signature2018 as a property of a DataIntegrityProof node (protection overridden)',
    { '@context': [V1, DI], id: 'urn:example:proof', type: 'DataIntegrityProof', Ed25519Signature2018: { id: 'urn:example:inner', 'urn:example:p': 'v' } },
  ],
  [
    'DataIntegrityProof and Ed25519Signature2018 as types of one node (a protected term redefined: refused)',
    { '@context': [V1, DI], id: 'urn:example:proof', type: ['DataIntegrityProof', 'Ed25519Signature2018'] },
  ],
  ['VC 1.1 and 2.0 together (a protected term redefined: jsonld refuses)', credential([V2, V1])],
  ['a term the data model protects, redefined by a later bundled context (refused)', credential([V1, V2])],
  ['a term no context defines, without @vocab (dropped: safe mode refuses)', credential([V2], {}, { name: 'Lee', unknownTerm: 'x' })],
];

const didKey = async (): Promise<Key> => {
  const key = await Ed25519Multikey.generate();
  key.controller = `did:key:${key.publicKeyMultibase}`;
  key.id = `${key.controller}#${key.publicKeyMultibase}`;
  return key;
};
async function issue(key: Key, claims: Json = { name: 'Lee' }, documentLoader: DocumentLoader = loader): Promise<Json> {
  return vc.issue({
    credential: credential([V2, UNDEFINED_TERMS], { issuer: key.controller }, claims),
    suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }),
    documentLoader,
  });
}
const verify = (doc: Json, documentLoader: DocumentLoader = loader) => verifyDataIntegrityCredential(structuredClone(doc), documentLoader, new Date());

describe('did processed contexts: jsonld’s contexts kept across verifications', () => {
  it('the bundled contexts are deep-frozen, every object of them known as bundled (a top-level list stays writable for jsonld)', async () => {
    for (const [url, document] of bundledContexts()) {
      assert.ok(Object.isFrozen(document), url);
      const walk = (value: unknown): void => {
        if (!value || typeof value !== 'object') return;
        assert.ok(Array.isArray(value) || (Object.isFrozen(value) && isBundledContextObject(value)), url);
        Object.values(value).forEach(walk);
      };
      walk((document as Json)['@context']);
      // jsonld's own path still reads every one of them (it writes a top-level list's URLs back in place)
      assert.ok(!(await plain({ '@context': url, '@id': 'urn:example:1', '@type': 'urn:example:Thing' })).startsWith('error: '), url);
    }
    assert.equal(isBundledContextObject(structuredClone(bundledContexts().get(V2) as object)), false, 'a copy is not');
  });

  it('gives exactly jsonld’s canonical N-Quads (or its error) for every document, cold, warm and in reverse order', async () => {
    const expected = await Promise.all(DOCUMENTS.map(([, doc]) => plain(doc)));
    assert.ok(expected.filter((e) => e.startsWith('error: ')).length >= 2, 'the refused documents are refused');
    assert.ok(expected.filter((e) => !e.startsWith('error: ')).length >= 15);
    for (const order of [DOCUMENTS.keys(), [...DOCUMENTS.keys()].reverse(), DOCUMENTS.keys()]) {
      for (const i of order) assert.equal(await cached(DOCUMENTS[i]![1]), expected[i], DOCUMENTS[i]![0]);
    }
  });

  it('processes the contexts of a credential once: a second credential of the same shape adds nothing', async () => {
    const first = credential([V2, UNDEFINED_TERMS], {}, { name: 'processed once', level: 'gold' });
    await cached(first);
    const size = processedContextCacheSize();
    assert.ok(size > 0);
    const second = credential([V2, UNDEFINED_TERMS], { issuer: 'did:example:another' }, { name: 'another', level: 'silver' });
    assert.equal(await cached(second), await plain(second));
    assert.equal(processedContextCacheSize(), size);
  });

  it('hands a credential’s own embedded context to jsonld untouched (never kept, same result)', async () => {
    const embedded = credential([V2, { ex: 'https://example.org/terms#', level: 'ex:level' }], {}, { level: 'gold' });
    const size = processedContextCacheSize();
    assert.equal(await cached(embedded), await plain(embedded));
    assert.ok(!(await cached(embedded)).startsWith('error: '));
    assert.equal(processedContextCacheSize(), size, 'only what the bundled objects derive is kept');
  });

  it(`stays within ${PROCESSED_CONTEXT_CACHE_SIZE} processed contexts`, async function () {
    this.timeout(120_000);
    // every ordered pair of bundled contexts, each with a few shapes: many more derivations than the bound
    const urls = [...bundledContexts().keys()];
    for (const a of urls) {
      for (const b of urls) {
        for (const doc of [credential([a, b]), proofOptions([a, b]), credential([b, a, UNDEFINED_TERMS])]) {
          await cached(doc);
          assert.ok(processedContextCacheSize() <= PROCESSED_CONTEXT_CACHE_SIZE, `${processedContextCacheSize()} kept`);
        }
      }
    }
    assert.equal(processedContextCacheSize(), PROCESSED_CONTEXT_CACHE_SIZE);
    // and it still answers right once full
    for (const [name, doc] of DOCUMENTS.slice(0, 4)) assert.equal(await cached(doc), await plain(doc), name);
  });

  it('keeps nothing of a credential: a changed claim, or a proof moved to another issuer, fails after cached successes', async () => {
    const [a, b] = [await didKey(), await didKey()];
    for (let i = 0; i < 3; i++) assert.deepEqual(await verify(await issue(a, { name: `Lee ${i}` })), []);
    const byB = await issue(b, { name: 'Kim' });
    assert.deepEqual(await verify(byB), [], 'a new credential by a new key, the same contexts');
    const changed = structuredClone(byB);
    (changed['credentialSubject'] as Json)['name'] = 'Park';
    assert.deepEqual(
      (await verify(changed)).map((p) => p.code),
      ['SIGNATURE_INVALID'],
    );
    const moved = { ...structuredClone(byB), issuer: a.controller, proof: { ...(byB['proof'] as Json), verificationMethod: a.id } };
    assert.deepEqual(
      (await verify(moved)).map((p) => p.code),
      ['SIGNATURE_INVALID'],
    );
  });

  it('refuses a context that is not bundled exactly as before, after cached successes', async () => {
    assert.deepEqual(await verify(await issue(await didKey())), []);
    const signed = await issue(await didKey());
    const unknown = { ...signed, '@context': [V2, 'https://example.org/unknown/v1'] };
    const problems = await verify(unknown);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['CONTEXT_UNAVAILABLE'],
    );
    assert.match(problems[0]!.message, /https:\/\/example\.org\/unknown\/v1 is not bundled/);
  });

  it('keeps no key: an issuer whose key rotates under the same verification method id stops verifying its old credentials at once', async () => {
    const issuer = 'did:web:rotating-contexts.example';
    const [a, b] = [await Ed25519Multikey.generate(), await Ed25519Multikey.generate()];
    const { method, loader: rotating, rotateTo } = rotatingIssuer(issuer, a, loader);
    for (const key of [a, b]) {
      key.controller = issuer;
      key.id = method;
    }
    // distinct credentials: no canonical form is reused, only the processed contexts
    const byA = await Promise.all([1, 2, 3].map((n) => issue(a, { name: `Lee ${n}` }, rotating)));
    for (const c of byA.slice(0, 2)) assert.deepEqual(await verify(c, rotating), []);
    rotateTo(b);
    assert.deepEqual(
      (await verify(byA[2]!, rotating)).map((p) => p.code),
      ['SIGNATURE_INVALID'],
      'the old key no longer verifies',
    );
    assert.deepEqual(await verify(await issue(b, { name: 'Lee 4' }, rotating), rotating), [], 'the new key does');
  });
});

describe('did processed contexts: verification method keys decoded once', () => {
  const suite = withCachedEd25519Keys(eddsaRdfc2022 as Parameters<typeof withCachedEd25519Keys>[0], Ed25519Multikey.from) as unknown as {
    createVerifier(options: { verificationMethod: Json }): Promise<{ id: string; verify(options: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> }>;
  };
  const methodOf = (key: Key, id = `${key.controller}#key-1`): Json => ({ id, type: 'Multikey', controller: key.controller, publicKeyMultibase: key.publicKeyMultibase });
  const signs = async (key: Key, method: Json): Promise<boolean> => {
    const data = new TextEncoder().encode(`signed by ${String(method['publicKeyMultibase'])}`);
    const signature = await key.signer().sign({ data });
    return (await suite.createVerifier({ verificationMethod: method })).verify({ data, signature });
  };

  it('a rotated key under the same method id is decoded anew: the old key’s signatures stop verifying', async () => {
    const [a, b] = [await didKey(), await didKey()];
    const byA = methodOf(a);
    assert.equal(await signs(a, byA), true);
    assert.equal(await signs(a, byA), true, 'decoded once, verified twice');
    const rotated = { ...byA, publicKeyMultibase: b.publicKeyMultibase };
    assert.equal(await signs(a, rotated), false, 'the same id, another key: a’s signature does not verify');
    assert.equal(await signs(b, rotated), true);
    assert.equal((await suite.createVerifier({ verificationMethod: rotated })).id, byA['id']);
  });

  it(`stays within ${ED25519_KEY_CACHE_SIZE} verification methods`, async function () {
    this.timeout(120_000);
    for (let i = 0; i < ED25519_KEY_CACHE_SIZE + 20; i++) {
      const key = await didKey();
      await suite.createVerifier({ verificationMethod: methodOf(key) });
      assert.ok(decodedKeyCacheSize() <= ED25519_KEY_CACHE_SIZE, `${decodedKeyCacheSize()} kept`);
    }
    assert.equal(decodedKeyCacheSize(), ED25519_KEY_CACHE_SIZE);
  });
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('did processed contexts: verify-vc over HTTP with credentials not seen before', () => {
      let db: TestDatabase;
      let kit: Kit;
      let post: ReturnType<typeof poster>;
      before(async () => {
        db = await createTestDatabase(kind);
        kit = await didKit(db.url);
        post = poster(appFor(kit).callback());
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      it('new credentials by new keys verify, and one with a changed claim is refused with SIGNATURE_INVALID', async () => {
        for (let i = 0; i < 3; i++) {
          const res = await post('/v2/did/verify-vc', await issue(await didKey(), { name: `Lee ${i}` }));
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, true, JSON.stringify(res.body));
        }
        const changed = await issue(await didKey(), { name: 'Kim' });
        (changed['credentialSubject'] as Json)['name'] = 'Park';
        const refused = await post('/v2/did/verify-vc', changed);
        assert.equal(refused.status, 200);
        assert.equal(refused.body.verified, false, JSON.stringify(refused.body));
        assert.equal(refused.body.code, 'SIGNATURE_INVALID', JSON.stringify(refused.body));
      });
    });
  });
}
