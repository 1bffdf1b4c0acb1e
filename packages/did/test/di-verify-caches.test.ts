/// <reference path="../src/digitalbazaar.d.ts" />
// Issue 17 item 3: what the Data Integrity verify path keeps across calls — contexts jsonld
// processed from the bundled files (the loader tags them static), and canonical forms of
// documents that name only those (canonical-cache.ts) — and that neither keeps a key, a claim
// or a context that changed.
import assert from 'node:assert/strict';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { CANONICAL_CACHE_SIZE, canonicalCacheSize } from '../src/canonical-cache.js';
import { verifyDataIntegrityCredential } from '../src/data-integrity.js';
import { createDidResolver } from '../src/did-resolver.js';
import { bundledContexts, createDocumentLoader, type DocumentLoader } from '../src/document-loader.js';
import { appFor, didKit, poster, rotatingIssuer } from './support.js';

type Json = Record<string, unknown>;
type Key = Awaited<ReturnType<typeof Ed25519Multikey.generate>>;

const loader = createDocumentLoader(createDidResolver({ chainId: 1 }));
const CONTEXTS = ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/undefined-terms/v2'];

async function didKey(): Promise<Key> {
  const key = await Ed25519Multikey.generate();
  key.controller = `did:key:${key.publicKeyMultibase}`;
  key.id = `${key.controller}#${key.publicKeyMultibase}`;
  return key;
}

async function issue(key: Key, claims: Json = { name: 'Lee' }, context: unknown[] = CONTEXTS, documentLoader: DocumentLoader = loader): Promise<Json> {
  const credential = { '@context': context, type: ['VerifiableCredential'], issuer: key.controller, validFrom: '2026-01-01T00:00:00Z', credentialSubject: { id: 'did:example:holder', ...claims } };
  return vc.issue({ credential, suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }), documentLoader });
}

const verify = (credential: Json, documentLoader: DocumentLoader = loader) => verifyDataIntegrityCredential(structuredClone(credential), documentLoader, new Date());

describe('did data-integrity caches: static contexts and canonical forms', () => {
  it('the document loader tags every bundled context static (jsonld keeps it processed across calls) and never a DID', async () => {
    for (const url of bundledContexts().keys()) assert.equal((await loader(url)).tag, 'static', url);
    const key = await didKey();
    assert.equal((await loader(key.controller!)).tag, undefined);
    assert.equal((await loader(key.id!)).tag, undefined);
  });

  it('keeps the canonical forms of a verified credential, and a changed claim under the same proof still fails', async () => {
    const credential = await issue(await didKey());
    const before = canonicalCacheSize();
    assert.deepEqual(await verify(credential), []);
    assert.equal(canonicalCacheSize(), Math.min(before + 2, CANONICAL_CACHE_SIZE), 'the document and its proof options');
    assert.deepEqual(await verify(credential), [], 'from the cache');
    const changed = structuredClone(credential);
    (changed['credentialSubject'] as Json)['name'] = 'Park';
    const problems = await verify(changed);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, 'SIGNATURE_INVALID', JSON.stringify(problems));
  });

  it('does not keep a document with an embedded context (it could name a context the loader resolves anew)', async () => {
    const credential = await issue(await didKey(), { 'ex:level': 'gold' }, [...CONTEXTS, { ex: 'https://example.org/terms#' }]);
    const before = canonicalCacheSize();
    assert.deepEqual(await verify(credential), []);
    assert.deepEqual(await verify(credential), []);
    // the proof options repeat the document's contexts, so neither is kept
    assert.equal(canonicalCacheSize(), before);
  });

  it('does not keep a key: a did:web-like issuer whose key rotates under the same verification method id', async () => {
    const issuer = 'did:web:rotating.example';
    const [a, b] = [await Ed25519Multikey.generate(), await Ed25519Multikey.generate()];
    // the issuer's DID document lists whichever key is current, always under #key-1
    const { method, loader: rotating, rotateTo } = rotatingIssuer(issuer, a, loader);
    for (const key of [a, b]) {
      key.controller = issuer;
      key.id = method;
    }
    const byA = await issue(a, { name: 'Lee' }, CONTEXTS, rotating);
    assert.deepEqual(await verify(byA, rotating), []);
    assert.deepEqual(await verify(byA, rotating), [], 'twice: canonical forms from the cache');
    rotateTo(b);
    const afterRotation = await verify(byA, rotating);
    assert.equal(afterRotation.length, 1, 'the old key no longer verifies');
    assert.equal(afterRotation[0]!.code, 'SIGNATURE_INVALID', JSON.stringify(afterRotation));
    assert.deepEqual(await verify(await issue(b, { name: 'Lee' }, CONTEXTS, rotating), rotating), [], 'the new key does');
  });

  it(`stays within ${CANONICAL_CACHE_SIZE} canonical forms`, async function () {
    this.timeout(120_000);
    for (let i = 0; i < CANONICAL_CACHE_SIZE / 2 + 8; i++) assert.deepEqual(await verify(await issue(await didKey(), { name: `Lee ${i}` })), []);
    assert.equal(canonicalCacheSize(), CANONICAL_CACHE_SIZE);
  });
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('did data-integrity caches: verify-vc over HTTP', () => {
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

      it('the same credential verifies every time; with a claim changed it does not, whatever was cached', async () => {
        const credential = await issue(await didKey());
        for (let i = 0; i < 3; i++) {
          const res = await post('/v2/did/verify-vc', credential);
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, true, JSON.stringify(res.body));
        }
        const changed = structuredClone(credential);
        (changed['credentialSubject'] as Json)['name'] = 'Park';
        const refused = await post('/v2/did/verify-vc', changed);
        assert.equal(refused.status, 200);
        assert.equal(refused.body.verified, false, JSON.stringify(refused.body));
        assert.equal(refused.body.code, 'SIGNATURE_INVALID', JSON.stringify(refused.body));
      });
    });
  });
}
