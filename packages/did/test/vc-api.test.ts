/// <reference path="../src/digitalbazaar.d.ts" />
import assert from 'node:assert/strict';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { appFor, createOrganization, createUser, didKit, poster, SEED, walletKey, walletPresentation, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const V1 = 'https://www.w3.org/2018/credentials/v1';
const V2 = 'https://www.w3.org/ns/credentials/v2';
const UNDEFINED_TERMS = 'https://www.w3.org/ns/credentials/undefined-terms/v2';

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: TestApp;
    let verifier: string;

    before(async () => {
      db = await createTestDatabase(kind);
      kit = await didKit(db.url);
      app = appFor(kit).callback();
      verifier = (await request(app).get('/v2/did/verifiers')).body[0].did;
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, bearer?: string) => poster(app)(path, body, bearer);
    const subject = { id: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf', name: 'Hong', degree: 'BSc' };

    describe('did: W3C VC-API', () => {
      it('POST /credentials/issue: 201 {verifiableCredential} in the issuer’s format; /credentials/verify verifies each', async () => {
        const org = await createOrganization(kit);
        // an organization issues as its own DIDs (the kit's issuers attest accounts only)
        const own = (await request(app).get('/v2/did/my-issuers').set('authorization', org.bearer)).body as { did: string }[];
        const requests: [string, Json, string][] = [
          ['VC 1.1, no issuer: JWT', { credential: { '@context': [V1], type: ['VerifiableCredential'], credentialSubject: subject } }, 'JwtProof2020'],
          ['VC 2.0, no issuer: eddsa-rdfc-2022', { credential: { '@context': [V2, UNDEFINED_TERMS], type: ['VerifiableCredential'], credentialSubject: subject } }, 'eddsa-rdfc-2022'],
          ['VC 2.0, the P-256 issuer', { credential: { '@context': [V2, UNDEFINED_TERMS], type: ['VerifiableCredential'], issuer: own[2]!.did, credentialSubject: subject } }, 'ecdsa-rdfc-2019'],
          [
            'VC 1.1, Ed25519 issuer, options.format',
            { credential: { '@context': [V1, UNDEFINED_TERMS], type: ['VerifiableCredential'], issuer: { id: own[1]!.did }, credentialSubject: subject }, options: { format: 'Ed25519Signature2020' } },
            'Ed25519Signature2020',
          ],
        ];
        for (const [what, body, proof] of requests) {
          const issued = await post('/credentials/issue', body, org.bearer);
          assert.equal(issued.status, 201, `${what}: ${JSON.stringify(issued.body)}`);
          assert.deepEqual(Object.keys(issued.body), ['verifiableCredential']);
          const credential = issued.body.verifiableCredential as Json;
          const credentialProof = credential['proof'] as Json;
          assert.equal(credentialProof['cryptosuite'] ?? credentialProof['type'], proof, what);
          assert.equal((credential['credentialSubject'] as Json)['degree'], 'BSc');
          assert.equal((credential['credentialStatus'] as Json)['type'], 'BitstringStatusListEntry');
          const verified = await post('/credentials/verify', { verifiableCredential: credential, options: {} });
          assert.equal(verified.status, 200);
          assert.deepEqual(verified.body, { verified: true, checks: ['proof', 'credentialStatus'], warnings: [], errors: [], problemDetails: [] }, what);
        }
      });

      it('/credentials/verify reports a tampered or revoked credential with errors and ProblemDetails', async () => {
        const org = await createOrganization(kit);
        const credential = (
          await post('/credentials/issue', { credential: { '@context': [V2, UNDEFINED_TERMS], id: 'urn:example:diploma-1', type: ['VerifiableCredential'], credentialSubject: subject } }, org.bearer)
        ).body.verifiableCredential as Json;
        assert.equal(credential['id'], 'urn:example:diploma-1');
        const tampered = structuredClone(credential);
        (tampered['credentialSubject'] as Json)['degree'] = 'PhD';
        const res = await post('/credentials/verify', { verifiableCredential: tampered });
        assert.equal(res.status, 422, 'VC-API: a well-formed credential that does not verify is 422, with its result');
        // the Finenex error body of the group, with the VC-API verification result beside it
        assert.deepEqual(
          [res.body.status, res.body.error, res.body.code, res.body.message, res.body.path],
          [422, 'Unprocessable Entity', 'CREDENTIAL_NOT_VERIFIED', 'The credential does not verify: a signature does not verify.', '/credentials/verify'],
        );
        assert.equal(res.body.verified, false);
        assert.deepEqual(res.body.checks, []);
        assert.deepEqual(res.body.errors, ['a signature does not verify.']);
        assert.deepEqual(res.body.problemDetails, [{ type: 'https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR', title: 'SIGNATURE_INVALID', detail: 'a signature does not verify.' }]);
        // revoked through the VC-API's own status endpoint, by the organization that issued it
        const stranger = await createOrganization(kit);
        const forbidden = await post(
          '/credentials/status',
          { credentialId: 'urn:example:diploma-1', credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true },
          stranger.bearer,
        );
        assert.equal(forbidden.status, 403);
        assert.equal(forbidden.body.code, 'NOT_CREDENTIAL_ISSUER');
        const unrevoke = await post(
          '/credentials/status',
          { credentialId: 'urn:example:diploma-1', credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: false },
          org.bearer,
        );
        assert.equal(unrevoke.status, 400);
        assert.equal(unrevoke.body.code, 'UNREVOKE_NOT_ALLOWED');
        const revoked = await post(
          '/credentials/status',
          { credentialId: 'urn:example:diploma-1', credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true },
          org.bearer,
        );
        assert.equal(revoked.status, 200);
        const after = await post('/credentials/verify', { verifiableCredential: credential });
        assert.equal(after.status, 422);
        assert.equal(after.body.verified, false);
        assert.equal(after.body.problemDetails[0].title, 'REVOKED');
        assert.equal(after.body.problemDetails[0].type, 'https://www.w3.org/TR/vc-data-model#RANGE_ERROR');
        // the Finenex document's own credential, from an issuer of another server
        assert.equal((await post('/credentials/verify', { verifiableCredential: SEED.verifyVc })).body.verified, true);
      });

      it('/credentials/issue: 401 without a token, 403 for an end user, 400 for bad input, 409 for a reused id, 422 when it cannot be processed', async () => {
        const org = await createOrganization(kit);
        const user = await createUser(kit);
        const good = { '@context': [V2, UNDEFINED_TERMS], type: ['VerifiableCredential'], credentialSubject: subject };
        assert.equal((await post('/credentials/issue', { credential: good })).status, 401);
        const endUser = await post('/credentials/issue', { credential: good }, user.bearer);
        assert.equal(endUser.status, 403);
        assert.equal(endUser.body.code, 'ORGANIZATION_ONLY');
        const cases: [Json, number, string, string[]?][] = [
          [{}, 400, 'VALIDATION_FAILED', ['credential: is required.']],
          [{ credential: { '@context': [V2], type: ['VerifiableCredential'] } }, 400, 'VALIDATION_FAILED', ['credential.credentialSubject: is required.']],
          [{ credential: { ...good, type: ['Diploma'] } }, 400, 'VALIDATION_FAILED', ['credential.type: must include VerifiableCredential.']],
          [{ credential: { ...good, '@context': ['https://schema.org'] } }, 400, 'VALIDATION_FAILED', [`credential.@context: the first context must be ${V1} or ${V2}.`]],
          [{ credential: { ...good, issuer: 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4' } }, 400, 'UNKNOWN_ISSUER'],
          [{ credential: good, options: { format: 'jwt' } }, 400, 'FORMAT_NOT_SUPPORTED_BY_ISSUER'],
          [
            { credential: { ...good, credentialStatus: { id: 'https://status.example/1' } } },
            400,
            'VALIDATION_FAILED',
            ['credential.credentialStatus: must have a type (a string or an array of strings).'],
          ],
          [{ credential: { ...good, '@context': [V2, 'https://example.com/my-context.jsonld'] } }, 422, 'INVALID_CREDENTIAL'],
          [{ credential: { ...good, '@context': [V2], credentialSubject: { ...subject, undefinedTerm: 1 } } }, 422, 'INVALID_CREDENTIAL'],
        ];
        for (const [body, status, code, issues] of cases) {
          const res = await post('/credentials/issue', body, org.bearer);
          assert.equal(res.status, status, JSON.stringify(body));
          assert.equal(res.body.code, code, JSON.stringify(res.body));
          if (issues) assert.deepEqual(res.body.issues, issues);
        }
        const unknownContext = await post('/credentials/issue', { credential: { ...good, '@context': [V2, 'https://example.com/my-context.jsonld'] } }, org.bearer);
        assert.match(unknownContext.body.message, /^The credential cannot be signed: the JSON-LD document https:\/\/example\.com\/my-context\.jsonld is not bundled/);
        const first = await post('/credentials/issue', { credential: { ...good, id: 'urn:example:once' } }, org.bearer);
        assert.equal(first.status, 201);
        const reused = await post('/credentials/issue', { credential: { ...good, id: 'urn:example:once' } }, org.bearer);
        assert.equal(reused.status, 409);
        assert.equal(reused.body.code, 'CONFLICT');
        const rows = await kit.services.db.withTables<{ did_credentials: { requested_by: string } }>().selectFrom('did_credentials').selectAll().where('requested_by', '=', org.account.id).execute();
        assert.equal(rows.length, 1, 'only the one issued credential was recorded');
      });

      it('/presentations/verify checks options.challenge and options.domain, for JWT and Data Integrity presentations', async () => {
        const user = await createUser(kit);
        const wallet = walletKey();
        const credential = (await post('/v2/did/create-vc', { holder: wallet.did, userInfo: { name: 'Hong' } }, user.bearer)).body as Json;
        const jwtVp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: 'n-42' });
        const key = await Ed25519Multikey.generate();
        const did = `did:key:${key.publicKeyMultibase}`;
        key.controller = did;
        key.id = `${did}#${key.publicKeyMultibase}`;
        const diCredential = (await post('/v2/did/create-vc', { holder: did, userInfo: {}, format: 'eddsa-rdfc-2022' }, user.bearer)).body as Json;
        const diVp = await vc.signPresentation({
          presentation: vc.createPresentation({ verifiableCredential: diCredential, holder: did }),
          suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }),
          documentLoader: kit.services.documentLoader,
          challenge: 'n-42',
          domain: verifier,
        });
        for (const [format, vp] of [
          ['jwt', jwtVp],
          ['eddsa-rdfc-2022', diVp],
        ] as const) {
          const ok = await post('/presentations/verify', { verifiablePresentation: vp, options: { challenge: 'n-42', domain: verifier } });
          assert.equal(ok.status, 200);
          assert.equal(ok.body.verified, true, `${format}: ${JSON.stringify(ok.body)}`);
          assert.deepEqual(ok.body.checks, ['proof', 'challenge', 'domain']);
          assert.deepEqual(ok.body.results.challenge, { valid: true, input: 'n-42' });
          assert.equal(ok.body.credentialResults[0].verified, true);
          const challenge = await post('/presentations/verify', { verifiablePresentation: vp, options: { challenge: 'n-43' } });
          assert.equal(challenge.status, 422, format);
          assert.equal(challenge.body.code, 'PRESENTATION_NOT_VERIFIED', format);
          assert.equal(challenge.body.verified, false, format);
          assert.equal(challenge.body.problemDetails[0].title, 'CHALLENGE_MISMATCH', format);
          assert.deepEqual(challenge.body.results.challenge, { valid: false, input: 'n-43' });
          const domain = await post('/presentations/verify', { verifiablePresentation: vp, options: { domain: 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4' } });
          assert.equal(domain.status, 422, format);
          assert.equal(domain.body.verified, false, format);
          assert.equal(domain.body.problemDetails[0].title, 'AUDIENCE_MISMATCH', `${format}: ${JSON.stringify(domain.body.errors)}`);
        }
        const bad = await post('/presentations/verify', { verifiablePresentation: jwtVp, options: { challenge: 42 } });
        assert.equal(bad.status, 400);
        assert.deepEqual(bad.body.issues, ['options.challenge: not a valid string.']);
        const missing = await post('/presentations/verify', { presentation: jwtVp });
        assert.equal(missing.status, 400);
        assert.deepEqual(missing.body.issues, ['verifiablePresentation: is required.']);
      });

      it('mounts under a prefix (basePaths["vc-api"]) and under a kit mount path, with status lists that follow', async () => {
        const mounted = await didKit(db.url, {}, { config: { basePaths: { 'vc-api': '/vc' }, mountPath: '/identity' } });
        try {
          const mountedApp = appFor(mounted).callback();
          const org = await createOrganization(mounted);
          const issued = await request(mountedApp)
            .post('/identity/vc/credentials/issue')
            .set('authorization', org.bearer)
            .send({ credential: { '@context': [V2, UNDEFINED_TERMS], type: ['VerifiableCredential'], credentialSubject: subject } });
          assert.equal(issued.status, 201);
          const status = (issued.body.verifiableCredential as { credentialStatus: { statusListCredential: string } }).credentialStatus.statusListCredential;
          assert.match(status, /^http:\/\/127\.0\.0\.1:3000\/identity\/v2\/did\/status-lists\//);
          assert.equal((await request(mountedApp).get(new URL(status).pathname)).status, 200);
          const verified = await request(mountedApp).post('/identity/vc/credentials/verify').send({ verifiableCredential: issued.body.verifiableCredential });
          assert.equal(verified.body.verified, true);
          assert.equal((await request(mountedApp).post('/credentials/verify').send({ verifiableCredential: issued.body.verifiableCredential })).status, 404);
        } finally {
          await mounted.close();
        }
      });
    });
  });
}
