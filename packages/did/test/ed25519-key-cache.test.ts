/// <reference path="../src/digitalbazaar.d.ts" />
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { ED25519_KEY_CACHE_SIZE, ed25519KeyCacheSize, ed25519KeyObject } from '../src/ed25519-key-cache.js';
import { referenceDocumentLoader } from './independent-verifiers.js';
import { appFor, didKit, poster, type TestApp } from './support.js';

type Json = Record<string, unknown>;

describe('did ed25519 key cache: node:crypto KeyObjects by key bytes, bounded', () => {
  it('answers the KeyObject of exactly the bytes asked for, and stays within its bound', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const cached = ed25519KeyObject(raw);
    assert.ok(cached.equals(publicKey));
    assert.equal(ed25519KeyObject(Buffer.from(raw)), cached, 'the same bytes: the same KeyObject');
    for (let i = 0; i < ED25519_KEY_CACHE_SIZE + 50; i++) {
      const other = randomBytes(32);
      other[31]! &= 0x7f; // keep the encoding canonical (the high bit of the last byte is the x sign)
      try {
        const key = ed25519KeyObject(other);
        assert.equal(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('hex'), other.toString('hex'));
      } catch {
        // about half of random 32-byte strings are no curve point; OpenSSL refuses those
      }
    }
    assert.ok(ed25519KeyCacheSize() <= ED25519_KEY_CACHE_SIZE, `${ed25519KeyCacheSize()} keys cached`);
    assert.throws(() => ed25519KeyObject(randomBytes(31)), /32 bytes/);
  });
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('did ed25519 key cache: eddsa-rdfc-2022 verification over HTTP', () => {
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      let post: ReturnType<typeof poster>;
      before(async () => {
        db = await createTestDatabase(kind);
        kit = await didKit(db.url);
        app = appFor(kit).callback();
        post = poster(app);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      async function issuedBy(key: Awaited<ReturnType<typeof Ed25519Multikey.generate>>): Promise<Json> {
        const loader = referenceDocumentLoader(async (url) => (await request(app).get(new URL(url).pathname)).body as unknown);
        const credential = {
          '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/undefined-terms/v2'],
          type: ['VerifiableCredential'],
          issuer: key.controller,
          validFrom: '2026-01-01T00:00:00Z',
          credentialSubject: { id: 'did:example:holder', name: 'Lee' },
        };
        return await vc.issue({ credential, suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }), documentLoader: loader });
      }
      const generate = async () => {
        const key = await Ed25519Multikey.generate();
        key.controller = `did:key:${key.publicKeyMultibase}`;
        key.id = `${key.controller}#${key.publicKeyMultibase}`;
        return key;
      };

      it('a key seen before does not verify a signature it did not make: another key, a tampered claim, a proof moved to another DID', async () => {
        const [a, b] = [await generate(), await generate()];
        const byA = await issuedBy(a);
        for (let i = 0; i < 2; i++) {
          // twice: the second time A's key comes from the cache
          const res = await post('/v2/did/verify-vc', byA);
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, true, JSON.stringify(res.body));
        }
        const tampered = structuredClone(byA);
        (tampered['credentialSubject'] as Json)['name'] = 'Park';
        const refused = await post('/v2/did/verify-vc', tampered);
        assert.equal(refused.status, 200);
        assert.equal(refused.body.verified, false);
        // "rotation": the same claims, now issued by B, carrying A's signature under B's verification method
        const moved = structuredClone(byA);
        moved['issuer'] = b.controller;
        (moved['proof'] as Json)['verificationMethod'] = b.id;
        const movedRes = await post('/v2/did/verify-vc', moved);
        assert.equal(movedRes.status, 200);
        assert.equal(movedRes.body.verified, false, JSON.stringify(movedRes.body));
        // and B's own credential verifies with B's key
        assert.equal((await post('/v2/did/verify-vc', await issuedBy(b))).body.verified, true);
      });
    });
  });
}
