/// <reference path="../src/digitalbazaar.d.ts" />
// What the W3C suites (VC-API issuer, VC Data Model 2.0, vc-di-eddsa) found, as regression tests.
import assert from 'node:assert/strict';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { referenceDocumentLoader } from './independent-verifiers.js';
import { appFor, createOrganization, didKit, poster, type TestApp } from './support.js';

type Json = Record<string, unknown>;
const V1 = 'https://www.w3.org/2018/credentials/v1';
const V2 = 'https://www.w3.org/ns/credentials/v2';
const SUBJECT = { id: 'did:example:subject' };

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: TestApp;
    let org: { bearer: string };

    before(async () => {
      db = await createTestDatabase(kind);
      kit = await didKit(db.url);
      app = appFor(kit).callback();
      org = await createOrganization(kit);
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, bearer?: string) => poster(app)(path, body, bearer);
    const issue = (credential: Json, format?: string) => post('/credentials/issue', { credential, ...(format ? { options: { format } } : {}) }, org.bearer);
    const v2 = (extra: Json = {}): Json => ({ '@context': [V2], type: ['VerifiableCredential'], credentialSubject: SUBJECT, ...extra });
    const badRequest = (res: { status: number; body: Json }, issue: string, what: string) => {
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body['code'], 'VALIDATION_FAILED', what);
      assert.deepEqual(res.body['issues'], [issue], what);
    };

    describe('did conformance: VC-API issue checks the data model', () => {
      it('issuer null, true, 4, [], {} or {id: 4} is a 400, never the default issuer', async () => {
        for (const issuer of [null, true, 4, [], {}, { id: 4 }, 'not a url']) {
          for (const format of ['jwt', 'eddsa-rdfc-2022']) {
            const credential = format === 'jwt' ? { '@context': [V1], type: ['VerifiableCredential'], credentialSubject: SUBJECT, issuer } : v2({ issuer });
            badRequest(
              await issue(credential, format),
              'credential.issuer: must be one of your issuer DIDs (GET /v2/did/my-issuers), or an object whose id is one.',
              `${format} ${JSON.stringify(issuer)}`,
            );
          }
        }
      });

      it('refreshService, credentialSchema, termsOfUse, evidence and credentialStatus need a type; a relatedResource needs a unique URL id and a digest', async () => {
        const resource = { id: 'https://www.w3.org/ns/credentials/v2', digestSRI: 'sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg' };
        const cases: [Json, string][] = [
          [{ refreshService: { id: 'did:example:refresh/1' } }, 'credential.refreshService: must have a type (a string or an array of strings).'],
          [{ credentialSchema: { id: 'https://example.org/schema.json' } }, 'credential.credentialSchema: must have a type (a string or an array of strings).'],
          [{ credentialSchema: { type: 'JsonSchema' } }, 'credential.credentialSchema: must have an id that is one URL.'],
          [{ termsOfUse: [{ type: 'Policy' }, {}] }, 'credential.termsOfUse: entry 1 must have a type (a string or an array of strings).'],
          [{ evidence: [] }, 'credential.evidence: must be an object or a non-empty array of objects.'],
          [{ credentialStatus: { id: ['did:example:status:1', 'did:example:status:2'], type: 'CredentialStatusList2017' } }, 'credential.credentialStatus: must have an id that is one URL.'],
          [{ relatedResource: [resource.id] }, 'credential.relatedResource: must be an object or a non-empty array of objects.'],
          [{ relatedResource: [{ digestSRI: resource.digestSRI }] }, 'credential.relatedResource[0].id: is required and must be a URL.'],
          [{ relatedResource: [resource, { ...resource }] }, 'credential.relatedResource[1].id: must be unique among the related resources.'],
          [{ relatedResource: { id: resource.id } }, 'credential.relatedResource: must have a digestSRI or a digestMultibase.'],
          [{ relatedResource: { id: resource.id, digestSRI: 'md5-abc' } }, 'credential.relatedResource.digestSRI: must be a Subresource Integrity value, like sha384-<base64>.'],
          [{ relatedResource: { id: resource.id, digestMultibase: 'xyz' } }, 'credential.relatedResource.digestMultibase: must be a multibase value (base64url u… or base58btc z…).'],
        ];
        for (const [extra, message] of cases) badRequest(await issue(v2(extra)), message, JSON.stringify(extra));
        const ok = await issue(v2({ relatedResource: resource }));
        assert.equal(ok.status, 201, JSON.stringify(ok.body));
      });

      it('a caller’s credentialStatus is kept beside the server’s entry, which still revokes', async () => {
        const credential = v2({ '@context': [V2, { CredentialStatusList2017: 'https://example.org/examples#CredentialStatusList2017' }], credentialStatus: { type: 'CredentialStatusList2017' } });
        const res = await issue(credential);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const status = res.body.verifiableCredential.credentialStatus as Json[];
        assert.equal(status.length, 2);
        assert.deepEqual(status[0], { type: 'CredentialStatusList2017' });
        assert.equal(status[1]!['type'], 'BitstringStatusListEntry');
      });

      it('a JWT credential about nothing but its subject’s id is issued (did-jwt-vc alone refuses it), and keeps the id', async () => {
        const res = await issue({ '@context': [V1], type: ['VerifiableCredential'], credentialSubject: SUBJECT }, 'jwt');
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(res.body.verifiableCredential.credentialSubject, SUBJECT);
        const verified = await post('/credentials/verify', { verifiableCredential: res.body.verifiableCredential });
        assert.equal(verified.status, 200, JSON.stringify(verified.body));
      });

      it('a VC 1.1 Data Integrity credential carries its status entry’s terms inline: a loader without the status context expands it', async () => {
        const res = await issue({ '@context': [V1], type: ['VerifiableCredential'], credentialSubject: SUBJECT }, 'eddsa-rdfc-2022');
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const issued = res.body.verifiableCredential as Json;
        assert.ok(!(issued['@context'] as unknown[]).includes('https://www.w3.org/ns/credentials/status/v1'));
        // Digital Bazaar's security loader, which has no status context, as the vc-di-eddsa suite's
        const strict = referenceDocumentLoader(async () => {
          throw new Error('no network');
        });
        const result = await vc.verifyCredential({
          credential: issued,
          suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
          documentLoader: strict,
          checkStatus: async () => ({ verified: true }),
        });
        assert.equal(result.verified, true, JSON.stringify(result.error ?? result.results));
      });
    });

    describe('did conformance: a presentation without a holder (VC 2.0)', () => {
      it('verifies on /presentations/verify, with no holder result; it logs no one in', async () => {
        const key = await Ed25519Multikey.generate();
        key.controller = `did:key:${key.publicKeyMultibase}`;
        key.id = `${key.controller}#${key.publicKeyMultibase}`;
        const vp = await vc.signPresentation({
          presentation: { '@context': [V2], type: ['VerifiablePresentation'] },
          suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }),
          documentLoader: kit.services.documentLoader,
          challenge: 'c-1',
          domain: 'https://verifier.example',
        });
        const res = await post('/presentations/verify', { verifiablePresentation: vp, options: { challenge: 'c-1', domain: 'https://verifier.example' } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.verified, true);
        assert.equal(res.body.results.holder, undefined);
        // a proof by a key of another DID than the first proof's signer does not verify
        const other = await Ed25519Multikey.generate();
        other.controller = `did:key:${other.publicKeyMultibase}`;
        other.id = `${other.controller}#${other.publicKeyMultibase}`;
        const second = await vc.signPresentation({
          presentation: structuredClone(vp),
          suite: new DataIntegrityProof({ signer: other.signer(), cryptosuite: eddsaRdfc2022 }),
          documentLoader: kit.services.documentLoader,
          challenge: 'c-1',
          domain: 'https://verifier.example',
        });
        const mixed = await post('/presentations/verify', { verifiablePresentation: second, options: { challenge: 'c-1' } });
        assert.equal(mixed.status, 422);
        assert.equal(mixed.body.code, 'PRESENTATION_NOT_VERIFIED');
        const login = await post('/v2/auth/auth-user-with-vp', { vp });
        assert.equal(login.status, 401);
        assert.equal(login.body.code, 'PRESENTATION_REJECTED');
      });
    });
  });
}
