/// <reference path="../src/digitalbazaar.d.ts" />
import assert from 'node:assert/strict';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { createVerifiablePresentationJwt, normalizePresentation, verifyPresentation } from 'did-jwt-vc';
import request from 'supertest';
import { ethrReferenceResolver, referenceDocumentLoader } from './independent-verifiers.js';
import { appFor, createUser, didKit, jwtPart, poster, walletKey, walletPresentation, withBadSignature, withPayload, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);
const jwtOf = (document: Json) => (document['proof'] as { jwt: string }).jwt;

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
    const fetchDocument = async (url: string) => (await request(app).get(new URL(url).pathname)).body as unknown;

    async function custodialHolder(bearer?: string) {
      const address = (await post('/v2/did/create-address', {}, bearer)).body as { address: string; secretKey: string };
      const did = (await post('/v2/did/create-did', { alias: 'holder', ...address })).body.did as string;
      return { ...address, did };
    }

    async function credentialFor(bearer: string, holder: string, extra: Json = {}) {
      const res = await post('/v2/did/create-vc', { holder, userInfo: { name: 'Hong' }, ...extra }, bearer);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as Json;
    }

    describe('did: create-vp and verify-vp', () => {
      it('create-vp signs a JWT VP with the holder’s custodial key; verify-vp and did-jwt-vc verify it', async () => {
        const user = await createUser(kit);
        const holder = await custodialHolder();
        const credential = await credentialFor(user.bearer, holder.did);
        const res = await post('/v2/did/create-vp', { holder: holder.did, tempKey: holder.secretKey, hashKey: 'ignored', credentials: [credential] });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const vp = res.body as Json;
        assert.equal(vp['holder'], holder.did);
        assert.deepEqual(vp['verifier'], [verifier]);
        assert.deepEqual(vp['type'], ['VerifiablePresentation']);
        assert.deepEqual(vp['verifiableCredential'], [credential]);
        assert.equal((vp['proof'] as Json)['type'], 'JwtProof2020');
        assert.equal(jwtPart(jwtOf(vp), 1)['iss'], holder.did);
        const verified = await post('/v2/did/verify-vp', vp);
        assert.equal(verified.status, 200);
        assert.equal(verified.body.verified, true, JSON.stringify(verified.body));
        assert.equal(verified.body.holder, holder.did);
        assert.equal(verified.body.credentials[0].verified, true);
        const independent = await verifyPresentation(jwtOf(vp), ethrReferenceResolver(), { domain: verifier });
        assert.equal(independent.issuer, holder.did);
        // the Finenex document's own create-vp body shape: a given verifier and the Finenex document's credential
        const seedShaped = await post('/v2/did/create-vp', {
          holder: holder.did,
          verifier: 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4',
          tempKey: holder.secretKey,
          credentials: [credential],
        });
        assert.deepEqual(seedShaped.body.verifier, ['did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4']);
      });

      it('create-vp with a challenge carries it as the nonce', async () => {
        const user = await createUser(kit);
        const holder = await custodialHolder();
        const credential = await credentialFor(user.bearer, holder.did);
        const vp = (await post('/v2/did/create-vp', { holder: holder.did, tempKey: holder.secretKey, challenge: 'https://shop.example?requestId=abc', credentials: [credential] })).body;
        assert.equal(jwtPart(jwtOf(vp), 1)['nonce'], 'https://shop.example?requestId=abc');
        assert.equal((await post('/v2/did/verify-vp', vp)).body.challenge, 'https://shop.example?requestId=abc');
      });

      it('create-vp is authorized by the tempKey or the owning account’s token only; other holders are refused with the reason', async () => {
        const owner = await createUser(kit);
        const stranger = await createUser(kit);
        const owned = await custodialHolder(owner.bearer);
        const credential = await credentialFor(owner.bearer, owned.did);
        const byToken = await post('/v2/did/create-vp', { holder: owned.did, credentials: [credential] }, owner.bearer);
        assert.equal(byToken.status, 200);
        const cases: [Json, string | undefined, number, string][] = [
          [{ holder: owned.did, credentials: [credential] }, stranger.bearer, 401, 'HOLDER_NOT_AUTHORIZED'],
          [{ holder: owned.did, credentials: [credential] }, undefined, 401, 'HOLDER_NOT_AUTHORIZED'],
          [{ holder: owned.did, tempKey: 'a728102d411b1871f7ae91505b4e1558', credentials: [credential] }, undefined, 401, 'HOLDER_NOT_AUTHORIZED'],
          [{ holder: 'did:ethr:0xa54545a4e45cf5a229438695c6bea23c5d1414c9', tempKey: owned.secretKey, credentials: [credential] }, undefined, 409, 'HOLDER_KEY_NOT_HELD'],
          [{ holder: owned.did, tempKey: owned.secretKey, credentials: [{ name: 'not a credential' }] }, undefined, 422, 'INVALID_CREDENTIAL'],
          [
            { holder: owned.did, tempKey: owned.secretKey, credentials: [await credentialFor(owner.bearer, owned.did, { format: 'eddsa-rdfc-2022', dataModel: '2.0' })] },
            undefined,
            422,
            'INVALID_CREDENTIAL',
          ],
        ];
        for (const [body, bearer, status, code] of cases) {
          const res = await post('/v2/did/create-vp', body, bearer);
          assert.equal(res.status, status, JSON.stringify(res.body));
          assert.equal(res.body.code, code);
        }
        // an ID-wallet DID: the key stays with auth, the wallet app signs for itself
        const wallet = owner.account.wallet!.address;
        const walletDid = (await post('/v2/did/create-did', { alias: 'wallet', address: wallet }, owner.bearer)).body.did;
        const held = await post('/v2/did/create-vp', { holder: walletDid, credentials: [credential] }, owner.bearer);
        assert.equal(held.status, 409);
        assert.deepEqual(held.body, {
          status: 409,
          error: 'Conflict',
          code: 'HOLDER_KEY_NOT_HELD',
          message: 'This server does not hold the holder’s key; the holder’s wallet signs its own presentations.',
          path: '/v2/did/create-vp',
        });
        const invalid = await post('/v2/did/create-vp', { holder: 'nobody', credentials: [] });
        assert.equal(invalid.status, 400);
        assert.deepEqual(invalid.body.issues, ['holder: must be at least 8 characters.', 'credentials: must have at least 1 items.']);
      });

      it('a tampered JWT VP is not verified: holder, audience, nonce, signature, or a revoked credential inside', async () => {
        const user = await createUser(kit);
        const holder = await custodialHolder();
        const credential = await credentialFor(user.bearer, holder.did);
        const vp = (await post('/v2/did/create-vp', { holder: holder.did, tempKey: holder.secretKey, credentials: [credential] })).body as Json;
        const jwt = jwtOf(vp);
        const other = walletKey().did;
        const withJwt = (changed: string) => ({ ...clone(vp), proof: { type: 'JwtProof2020', jwt: changed } });
        const cases: [string, Json, string][] = [
          ['holder (JSON)', { ...clone(vp), holder: other }, 'PAYLOAD_MISMATCH'],
          ['verifier (JSON)', { ...clone(vp), verifier: [other] }, 'PAYLOAD_MISMATCH'],
          ['holder (JWT)', withJwt(withPayload(jwt, (p) => (p['iss'] = other))), 'SIGNATURE_INVALID'],
          ['audience (JWT)', withJwt(withPayload(jwt, (p) => (p['aud'] = [other]))), 'SIGNATURE_INVALID'],
          ['nonce (JWT)', withJwt(withPayload(jwt, (p) => (p['nonce'] = 'another request'))), 'SIGNATURE_INVALID'],
          ['signature', withJwt(withBadSignature(jwt)), 'SIGNATURE_INVALID'],
        ];
        for (const [what, tampered, code] of cases) {
          const res = await post('/v2/did/verify-vp', tampered);
          assert.equal(res.body.verified, false, what);
          assert.equal(res.body.code, code, `${what}: ${res.body.reason}`);
        }
        assert.equal((await post('/v2/did/revoke-vc', { credentialId: credential['id'] }, user.bearer)).status, 200);
        const revoked = await post('/v2/did/verify-vp', vp);
        assert.equal(revoked.body.verified, false);
        assert.equal(revoked.body.code, 'CREDENTIAL_NOT_VERIFIED');
        assert.match(revoked.body.reason, /^verifiableCredential\[0\]: the credential was revoked on /);
        assert.equal(revoked.body.credentials[0].code, 'REVOKED');
        const empty = await post('/v2/did/verify-vp', { holder: holder.did });
        assert.equal(empty.status, 400);
        assert.deepEqual(empty.body.issues, ['proof: is required.']);
      });

      it('a wallet’s Data Integrity VP (did:key holder, every suite) of kit credentials verifies through verify-vp and with @digitalbazaar/vc', async () => {
        const user = await createUser(kit);
        const ed = await Ed25519Multikey.generate();
        const p256 = await EcdsaMultikey.generate({ curve: 'P-256' });
        const holders = [
          { key: ed, suite: (signer: ReturnType<typeof ed.signer>) => new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022 }), format: 'eddsa-rdfc-2022' },
          { key: p256, suite: (signer: ReturnType<typeof ed.signer>) => new DataIntegrityProof({ signer, cryptosuite: ecdsaRdfc2019 }), format: 'ecdsa-rdfc-2019' },
          { key: await Ed25519Multikey.generate(), suite: (signer: ReturnType<typeof ed.signer>) => new Ed25519Signature2020({ signer }), format: 'Ed25519Signature2020' },
        ];
        for (const { key, suite, format } of holders) {
          const did = `did:key:${key.publicKeyMultibase}`;
          key.controller = did;
          key.id = `${did}#${key.publicKeyMultibase}`;
          const credential = await credentialFor(user.bearer, did, { format, dataModel: '2.0' });
          const loader = referenceDocumentLoader(fetchDocument);
          const presentation = vc.createPresentation({ verifiableCredential: credential, holder: did });
          if (format === 'Ed25519Signature2020') (presentation['@context'] as string[]).push('https://w3id.org/security/suites/ed25519-2020/v1');
          const signed = await vc.signPresentation({ presentation, suite: suite(key.signer()), documentLoader: loader, challenge: 'c-123', domain: verifier });
          const res = await post('/v2/did/verify-vp', signed);
          assert.equal(res.body.verified, true, `${format}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.format, format);
          assert.equal(res.body.holder, did);
          assert.deepEqual(res.body.verifier, [verifier]);
          assert.equal(res.body.challenge, 'c-123');
          const independent = await vc.verify({
            presentation: signed,
            suite: [new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019 }), new Ed25519Signature2020()],
            documentLoader: loader,
            challenge: 'c-123',
            domain: verifier,
            checkStatus: async () => ({ verified: true }),
          });
          assert.equal(independent.verified, true, String(independent.error));
          // the credential changed inside the signed presentation
          const tampered = clone(signed);
          ((tampered['verifiableCredential'] as Json[])[0]!['credentialSubject'] as Json)['name'] = 'Kim';
          const bad = await post('/v2/did/verify-vp', tampered);
          assert.equal(bad.body.verified, false);
          assert.equal(bad.body.code, 'SIGNATURE_INVALID', bad.body.reason);
          // a valid signature by someone else than the holder the presentation names
          const victim = `did:key:${(await Ed25519Multikey.generate()).publicKeyMultibase}`;
          const impostor = await vc.signPresentation({
            presentation: vc.createPresentation({ verifiableCredential: credential, holder: victim }),
            suite: suite(key.signer()),
            documentLoader: loader,
            challenge: 'c-123',
          });
          const impostorRes = await post('/v2/did/verify-vp', impostor);
          assert.equal(impostorRes.body.verified, false);
          assert.equal(impostorRes.body.code, 'SIGNATURE_INVALID');
          assert.equal(impostorRes.body.reason, `proof[0] is made by ${key.id}, which the holder ${victim} does not authorize for authentication`);
        }
      });

      it('a wallet’s own JWT VP (did-jwt-vc) verifies, not once expired; a Data Integrity VP without a challenge does not', async () => {
        const user = await createUser(kit);
        const wallet = walletKey();
        const credential = await credentialFor(user.bearer, wallet.did);
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier });
        const res = await post('/v2/did/verify-vp', vp);
        assert.equal(res.body.verified, true, JSON.stringify(res.body));
        // a VP whose own expiry has passed
        const expired = normalizePresentation(
          await createVerifiablePresentationJwt(
            {
              vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [jwtOf(credential)] },
              aud: verifier,
              nbf: Math.floor(Date.now() / 1000) - 7200,
              exp: Math.floor(Date.now() / 1000) - 3600,
            },
            wallet.issuer,
          ),
        );
        const expiredRes = await post('/v2/did/verify-vp', expired);
        assert.equal(expiredRes.body.verified, false);
        assert.equal(expiredRes.body.code, 'EXPIRED', expiredRes.body.reason);
        const ed = await Ed25519Multikey.generate();
        const did = `did:key:${ed.publicKeyMultibase}`;
        ed.controller = did;
        ed.id = `${did}#${ed.publicKeyMultibase}`;
        const signed = await vc.signPresentation({
          presentation: vc.createPresentation({ holder: did }),
          suite: new DataIntegrityProof({ signer: ed.signer(), cryptosuite: eddsaRdfc2022 }),
          documentLoader: referenceDocumentLoader(fetchDocument),
          challenge: 'x',
        });
        delete (signed['proof'] as Json)['challenge'];
        const noChallenge = await post('/v2/did/verify-vp', signed);
        assert.equal(noChallenge.body.verified, false);
        assert.equal(noChallenge.body.code, 'CHALLENGE_MISMATCH');
      });
    });
  });
}
