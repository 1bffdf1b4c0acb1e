import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { appFor, didKit, SEED, withBadSignature, withPayload, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

/** The JSON-form VP with its JWT replaced (and the JSON left as it was). */
function withJwt(document: Json, jwt: string): Json {
  const copy = clone(document);
  (copy['proof'] as Json)['jwt'] = jwt;
  return copy;
}
const jwtOf = (document: Json) => (document['proof'] as { jwt: string }).jwt;

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: TestApp;

    before(async () => {
      db = await createTestDatabase(kind);
      kit = await didKit(db.url);
      app = appFor(kit).callback();
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const verifyVc = (body: unknown) =>
      request(app)
        .post('/v2/did/verify-vc')
        .send(body as object);
    const verifyVp = (body: unknown) =>
      request(app)
        .post('/v2/did/verify-vp')
        .send(body as object);

    describe('did: the Finenex document’s own credentials and presentations', () => {
      it('verify-vc verifies every VC the document shows, as posted', async () => {
        const vcs = [SEED.verifyVc, SEED.createVp.credentials[0]!, ...(SEED.authUserWithVp.vp['verifiableCredential'] as Json[]), ...(SEED.verifyVp['verifiableCredential'] as Json[])];
        for (const vc of vcs) {
          const res = await verifyVc(vc);
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, true, JSON.stringify(res.body));
          assert.equal(res.body.format, 'jwt');
          assert.equal(res.body.issuer, (vc['issuer'] as Json)['id']);
          assert.equal(res.body.subject, (vc['credentialSubject'] as Json)['id']);
          assert.equal(res.body.code, undefined);
        }
        const res = await verifyVc(SEED.verifyVc);
        assert.deepEqual(res.body.credential.credentialSubject, { name: 'Hong', sub: 'test', id: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf' });
        assert.equal(res.body.credential.issuanceDate, '2022-10-21T05:56:06.000Z');
      });

      it('verify-vp verifies both VPs the document shows, with their credentials', async () => {
        for (const vp of [SEED.verifyVp, SEED.authUserWithVp.vp]) {
          const res = await verifyVp(vp);
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, true, JSON.stringify(res.body));
          assert.equal(res.body.holder, vp['holder']);
          assert.deepEqual(res.body.verifier, ['did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4']);
          assert.equal(res.body.credentials.length, 1);
          assert.equal(res.body.credentials[0].verified, true);
        }
      });

      it('a VC whose JSON says something its JWT does not is not verified', async () => {
        const changes: [string, (vc: Json) => void][] = [
          ['credentialSubject', (vc) => ((vc['credentialSubject'] as Json)['name'] = 'Kim')],
          ['credentialSubject', (vc) => ((vc['credentialSubject'] as Json)['sub'] = 'admin')],
          ['issuer', (vc) => (vc['issuer'] = { id: 'did:ethr:0xa3bbf50a3c3a4180521325cb99ea301142b3634e' })],
          ['issuanceDate', (vc) => (vc['issuanceDate'] = '2030-01-01T00:00:00.000Z')],
          ['expirationDate', (vc) => (vc['expirationDate'] = '2030-01-01T00:00:00.000Z')],
          ['type', (vc) => (vc['type'] = ['VerifiableCredential', 'Passport'])],
        ];
        for (const [field, change] of changes) {
          const vc = clone(SEED.verifyVc);
          change(vc);
          const res = await verifyVc(vc);
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, false, field);
          assert.equal(res.body.code, 'PAYLOAD_MISMATCH', field);
          assert.equal(res.body.reason, `"${field}" differs from what the signed JWT says`);
        }
        // the same claims written differently are the same claims
        const tolerant = clone(SEED.verifyVc);
        tolerant['issuer'] = 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4';
        tolerant['issuanceDate'] = '2022-10-21T05:56:06Z';
        delete tolerant['type'];
        assert.equal((await verifyVc(tolerant)).body.verified, true);
      });

      it('a VC whose JWT was changed, re-signed by no one, or cut is not verified', async () => {
        const jwt = jwtOf(SEED.verifyVc);
        const forged = [
          ['payload', withPayload(jwt, (p) => ((p['vc'] as { credentialSubject: Json }).credentialSubject['name'] = 'Kim')), 'SIGNATURE_INVALID'],
          ['issuer', withPayload(jwt, (p) => (p['iss'] = 'did:ethr:0xa3bbf50a3c3a4180521325cb99ea301142b3634e')), 'SIGNATURE_INVALID'],
          ['expiry', withPayload(jwt, (p) => (p['exp'] = 1700000000)), 'SIGNATURE_INVALID'],
          ['signature', withBadSignature(jwt), 'SIGNATURE_INVALID'],
          ['truncated', jwt.slice(0, jwt.lastIndexOf('.') + 20), 'MALFORMED'],
        ] as const;
        for (const [what, bad, code] of forged) {
          const res = await verifyVc(withJwt(SEED.verifyVc, bad));
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, false, what);
          assert.equal(res.body.code, code, `${what}: ${res.body.reason}`);
        }
      });

      it('a tampered VP is not verified: its JSON, its JWT, its signature, a credential inside it', async () => {
        const vp = SEED.verifyVp;
        const jwt = jwtOf(vp);
        const holder = clone(vp);
        holder['holder'] = 'did:ethr:0xb80a41cd53c3a42faa5a5f58e61909e50df811e0';
        assert.equal((await verifyVp(holder)).body.code, 'PAYLOAD_MISMATCH');
        const verifier = clone(vp);
        verifier['verifier'] = ['did:ethr:0x0000000000000000000000000000000000000001'];
        assert.equal((await verifyVp(verifier)).body.code, 'PAYLOAD_MISMATCH');
        const inner = clone(vp);
        ((inner['verifiableCredential'] as Json[])[0]!['credentialSubject'] as Json)['name'] = 'Kim';
        const innerRes = await verifyVp(inner);
        assert.equal(innerRes.body.verified, false);
        assert.equal(innerRes.body.code, 'PAYLOAD_MISMATCH');
        assert.equal(innerRes.body.reason, '"verifiableCredential[0].credentialSubject" differs from what the signed JWT says');
        const audience = await verifyVp(
          withJwt(
            vp,
            withPayload(jwt, (p) => (p['aud'] = ['did:ethr:0x0000000000000000000000000000000000000001'])),
          ),
        );
        assert.equal(audience.body.verified, false);
        assert.equal(audience.body.code, 'SIGNATURE_INVALID', audience.body.reason);
        const signature = await verifyVp(withJwt(vp, withBadSignature(jwt)));
        assert.equal(signature.body.verified, false);
        assert.equal(signature.body.code, 'SIGNATURE_INVALID');
        // a VP that carries the other VP's credential: its own signature no longer covers it
        const swapped = withJwt(
          vp,
          withPayload(jwt, (p) => ((p['vp'] as Json)['verifiableCredential'] = [jwtOf(SEED.verifyVc)])),
        );
        assert.equal((await verifyVp(swapped)).body.verified, false);
      });
    });
  });
}
