/// <reference path="../src/digitalbazaar.d.ts" />
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { BitstringStatusList, checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import type { CredentialFormat } from '@w3kit/did';
import { EdDSASigner, ES256KSigner } from 'did-jwt';
import { createVerifiableCredentialJwt, normalizeCredential, verifyCredential } from 'did-jwt-vc';
import { computeAddress } from 'ethers';
import request from 'supertest';
import { ethrReferenceResolver, referenceDocumentLoader } from './independent-verifiers.js';
import { appFor, createUser, didKit, jwtPart, poster, SEED, walletKey, withBadSignature, withPayload, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const FORMATS: { label: string; format: CredentialFormat; dataModel?: '1.1' | '2.0' }[] = [
  { label: 'JWT (JwtProof2020, ES256K, did:ethr)', format: 'jwt' },
  { label: 'eddsa-rdfc-2022, VC 1.1', format: 'eddsa-rdfc-2022', dataModel: '1.1' },
  { label: 'eddsa-rdfc-2022, VC 2.0', format: 'eddsa-rdfc-2022', dataModel: '2.0' },
  { label: 'ecdsa-rdfc-2019 (P-256), VC 1.1', format: 'ecdsa-rdfc-2019', dataModel: '1.1' },
  { label: 'ecdsa-rdfc-2019 (P-256), VC 2.0', format: 'ecdsa-rdfc-2019', dataModel: '2.0' },
  { label: 'Ed25519Signature2020, VC 1.1', format: 'Ed25519Signature2020', dataModel: '1.1' },
  { label: 'Ed25519Signature2020, VC 2.0', format: 'Ed25519Signature2020', dataModel: '2.0' },
];

const referenceSuites = () => [new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019 }), new Ed25519Signature2020()];
const clone = <T>(value: T): T => structuredClone(value);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The same credential with one proof value character changed. */
function withBadProofValue(credential: Json): Json {
  const copy = clone(credential);
  const proof = copy['proof'] as Json;
  const value = String(proof['proofValue']);
  const i = Math.floor(value.length / 2);
  proof['proofValue'] = `${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`;
  return copy;
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let clock: ManualClock;
    let app: TestApp;

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      kit = await didKit(db.url, {}, { services: { clock } });
      app = appFor(kit).callback();
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, bearer?: string) => poster(app)(path, body, bearer);
    const fetchDocument = async (url: string) => (await request(app).get(new URL(url).pathname)).body as unknown;

    /** A custodial DID made through the Finenex document's two steps. */
    async function custodialDid(alias = 'holder') {
      const address = (await post('/v2/did/create-address', {})).body as { address: string; secretKey: string };
      const created = await post('/v2/did/create-did', { alias, ...address });
      assert.equal(created.status, 200);
      return { ...address, did: created.body.did as string, identifier: created.body as Json };
    }

    async function issue(bearer: string, holder: string, f: (typeof FORMATS)[number], userInfo: Json = { name: 'Hong', phone: '010-1234-5678' }) {
      const res = await post('/v2/did/create-vc', { holder, userInfo, format: f.format, ...(f.dataModel ? { dataModel: f.dataModel } : {}) }, bearer);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as Json;
    }

    describe('did: addresses and DIDs', () => {
      it('create-address answers an address and a one-time secretKey; the database keeps only its SHA-256 and the sealed key', async () => {
        const res = await post('/v2/did/create-address', {});
        assert.equal(res.status, 200);
        assert.deepEqual(Object.keys(res.body), ['address', 'secretKey']);
        assert.match(res.body.address, /^0x[0-9a-f]{40}$/);
        assert.match(res.body.secretKey, /^[0-9a-f]{32}$/);
        const row = await kit.services.db
          .withTables<{ did_custodial_keys: { address: string; secret_hash: string; private_key: string; public_key: string } }>()
          .selectFrom('did_custodial_keys')
          .selectAll()
          .where('address', '=', res.body.address)
          .executeTakeFirstOrThrow();
        assert.equal(row.secret_hash, sha256(res.body.secretKey));
        assert.ok(!JSON.stringify(row).includes(res.body.secretKey));
        assert.equal(computeAddress(row.public_key).toLowerCase(), res.body.address);
        // sealed under the master key and bound to this address: it opens for no other row
        const key = kit.services.encryption.decrypt(row.private_key, `did.custodial-key:${res.body.address}`).toString('utf8');
        assert.equal(computeAddress(key).toLowerCase(), res.body.address);
        assert.throws(() => kit.services.encryption.decrypt(row.private_key, 'did.custodial-key:0x0000000000000000000000000000000000000001'));
      });

      it('create-did with the secretKey makes did:ethr:<address>, shows its public key, and is idempotent', async () => {
        const { address, secretKey } = (await post('/v2/did/create-address', {})).body;
        const res = await post('/v2/did/create-did', { alias: '4700634FB09E0019', address, secretKey });
        assert.equal(res.status, 200);
        assert.equal(res.body.did, `did:ethr:${address}`);
        assert.equal(res.body.alias, '4700634FB09E0019');
        assert.equal(res.body.provider, 'did:ethr');
        assert.equal(computeAddress(`0x${res.body.keys[0].publicKeyHex}`).toLowerCase(), address);
        assert.ok(!JSON.stringify(res.body).includes(secretKey));
        const again = await post('/v2/did/create-did', { alias: 'other', address: address.toUpperCase().replace('0X', '0x'), secretKey });
        assert.equal(again.status, 200);
        assert.equal(again.body.did, res.body.did);
        assert.equal(again.body.alias, '4700634FB09E0019');
      });

      it('create-did refuses a wrong secretKey and an unknown address with one 401, and asks for authorization without either', async () => {
        const { address } = (await post('/v2/did/create-address', {})).body;
        const wrong = await post('/v2/did/create-did', { alias: 'a', address, secretKey: 'a728102d411b1871f7ae91505b4e1558' });
        const unknown = await post('/v2/did/create-did', { alias: 'a', address: '0x38b45217e81548733f9fd7443ecfe4ea6b5725cf', secretKey: 'a728102d411b1871f7ae91505b4e1558' });
        assert.equal(wrong.status, 401);
        assert.deepEqual(wrong.body, { status: 401, error: 'Unauthorized', code: 'INVALID_SECRET_KEY', message: 'The address and secretKey do not match.', path: '/v2/did/create-did' });
        assert.deepEqual(unknown.body, wrong.body);
        const none = await post('/v2/did/create-did', { alias: 'a', address });
        assert.equal(none.status, 401);
        assert.equal(none.body.code, 'ADDRESS_AUTHORIZATION_REQUIRED');
      });

      it('with a bearer token: the caller’s own ID wallet and custodial addresses, nobody else’s', async () => {
        const ada = await createUser(kit, 'Ada');
        const bob = await createUser(kit, 'Bob');
        const wallet = ada.account.wallet!.address;
        const own = await post('/v2/did/create-did', { alias: 'my wallet', address: wallet }, ada.bearer);
        assert.equal(own.status, 200);
        assert.equal(own.body.did, `did:ethr:${wallet.toLowerCase()}`);
        assert.equal(computeAddress(`0x${own.body.keys[0].publicKeyHex}`), wallet);
        const theirs = await post('/v2/did/create-did', { alias: 'not mine', address: wallet }, bob.bearer);
        assert.equal(theirs.status, 403);
        assert.equal(theirs.body.code, 'NOT_YOUR_ADDRESS');
        const custodial = (await post('/v2/did/create-address', {}, ada.bearer)).body;
        assert.equal((await post('/v2/did/create-did', { alias: 'kept', address: custodial.address }, ada.bearer)).status, 200);
        assert.equal((await post('/v2/did/create-did', { alias: 'kept', address: custodial.address }, bob.bearer)).body.code, 'NOT_YOUR_ADDRESS');
        const badToken = await post('/v2/did/create-did', { alias: 'x', address: wallet }, 'Bearer nope');
        assert.equal(badToken.status, 401);
        assert.equal(badToken.body.code, 'INVALID_TOKEN');
      });

      it('create-did: 400 for a malformed address, a missing alias, a wrongly typed secretKey', async () => {
        const res = await post('/v2/did/create-did', { address: '0x1234', secretKey: 5 });
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'VALIDATION_FAILED');
        assert.deepEqual(res.body.issues, ['alias: is required.', 'address: has an invalid format.', 'secretKey: not a valid string.']);
      });

      it('three issuers and one verifier, the same on every instance; their keys sealed and bound to their DIDs', async () => {
        const issuers = (await request(app).get('/v2/did/issuers')).body as Json[];
        assert.deepEqual(
          issuers.map((i) => i['formats']),
          [['jwt'], ['eddsa-rdfc-2022', 'Ed25519Signature2020'], ['ecdsa-rdfc-2019']],
        );
        assert.match(String(issuers[0]!['did']), /^did:ethr:0x[0-9a-f]{40}$/);
        assert.match(String(issuers[1]!['did']), /^did:key:z6Mk\w+$/);
        assert.match(String(issuers[2]!['did']), /^did:key:zDna\w+$/);
        const verifiers = (await request(app).get('/v2/did/verifiers')).body as Json[];
        assert.equal(verifiers.length, 1);
        assert.match(String(verifiers[0]!['did']), /^did:ethr:0x[0-9a-f]{40}$/);
        assert.notEqual(verifiers[0]!['did'], issuers[0]!['did']);
        const second = await didKit(db.url);
        try {
          assert.deepEqual((await request(appFor(second).callback()).get('/v2/did/issuers')).body, issuers);
        } finally {
          await second.close();
        }
        const rows = await kit.services.db.withTables<{ did_kit_keys: { did: string; private_key: string } }>().selectFrom('did_kit_keys').selectAll().execute();
        assert.equal(rows.length, 4);
        for (const row of rows) {
          assert.match(row.private_key, /^w3e1\./);
          assert.ok(kit.services.encryption.decrypt(row.private_key, `did.kit-key:${row.did}`).length > 0);
          assert.throws(() => kit.services.encryption.decrypt(row.private_key, `did.kit-key:${rows.find((r) => r.did !== row.did)!.did}`));
        }
      });
    });

    describe('did: create-vc and verify-vc, in every format', () => {
      it('the default credential is a JWT shaped as the Finenex document’s, with a status entry and an expiry', async () => {
        const user = await createUser(kit);
        const holder = await custodialDid();
        const res = await post('/v2/did/create-vc', { holder: holder.did, issuer: undefined, tempKey: 'ignored', hashKey: 'ignored', userInfo: { name: 'Hong' } }, user.bearer);
        assert.equal(res.status, 200);
        const credential = res.body;
        const jwtIssuer = (await request(app).get('/v2/did/issuers')).body[0].did;
        assert.deepEqual(credential.credentialSubject, { name: 'Hong', sub: user.loginId, id: holder.did });
        assert.deepEqual(credential.issuer, { id: jwtIssuer });
        assert.deepEqual(credential.type, ['VerifiableCredential', 'Profile']);
        assert.deepEqual(credential['@context'], ['https://www.w3.org/2018/credentials/v1', 'https://www.w3.org/ns/credentials/status/v1']);
        assert.equal(credential.proof.type, 'JwtProof2020');
        assert.equal(jwtPart(credential.proof.jwt, 0)['alg'], 'ES256K');
        assert.match(credential.id, /^urn:uuid:[0-9a-f-]{36}$/);
        assert.equal(credential.credentialStatus.type, 'BitstringStatusListEntry');
        assert.equal(credential.credentialStatus.statusPurpose, 'revocation');
        assert.match(credential.credentialStatus.statusListCredential, /^http:\/\/127\.0\.0\.1:3000\/v2\/did\/status-lists\/[0-9a-f-]{36}$/);
        const year = Date.parse(credential.expirationDate) - Date.parse(credential.issuanceDate);
        assert.equal(year, 365 * 24 * 3600 * 1000);
        const verified = await post('/v2/did/verify-vc', credential);
        assert.equal(verified.status, 200);
        assert.equal(verified.body.verified, true);
        assert.equal(verified.body.revoked, false);
        // issued the same by the issuer named explicitly
        assert.equal((await post('/v2/did/create-vc', { holder: holder.did, issuer: jwtIssuer, userInfo: {} }, user.bearer)).status, 200);
      });

      for (const f of FORMATS) {
        it(`${f.label}: issued, verified by verify-vc and by an independent verifier`, async () => {
          const user = await createUser(kit);
          const holder = await custodialDid();
          const credential = await issue(user.bearer, holder.did, f);
          const res = await post('/v2/did/verify-vc', credential);
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, true, JSON.stringify(res.body));
          assert.equal(res.body.format, f.format);
          assert.equal(res.body.subject, holder.did);
          assert.equal(res.body.revoked, false);
          const subject = (credential['credentialSubject'] as Json)['sub'];
          assert.equal(subject, f.dataModel === '2.0' ? `urn:w3kit:user:${encodeURIComponent(user.loginId)}` : user.loginId);
          if (f.format === 'jwt') {
            const independent = await verifyCredential((credential['proof'] as { jwt: string }).jwt, ethrReferenceResolver());
            assert.equal(independent.issuer, (credential['issuer'] as Json)['id']);
            assert.equal((independent.verifiableCredential.credentialSubject as Json)['name'], 'Hong');
          } else {
            const independent = await vc.verifyCredential({
              credential,
              suite: referenceSuites(),
              documentLoader: referenceDocumentLoader(fetchDocument),
              checkStatus: (options) => checkStatus({ ...options, documentLoader: referenceDocumentLoader(fetchDocument), suite: referenceSuites() }),
            });
            assert.equal(independent.verified, true, String(independent.error ?? JSON.stringify(independent.results)));
            assert.equal(independent.statusResult?.verified, true);
            assert.equal((credential['proof'] as Json)['cryptosuite'] ?? (credential['proof'] as Json)['type'], f.format);
            assert.equal((credential['@context'] as string[])[0], f.dataModel === '2.0' ? 'https://www.w3.org/ns/credentials/v2' : 'https://www.w3.org/2018/credentials/v1');
          }
        });

        it(`${f.label}: a changed claim, signature, issuer or validity period is not verified`, async () => {
          const user = await createUser(kit);
          const holder = await custodialDid();
          const credential = await issue(user.bearer, holder.did, f);
          const verify = async (body: Json) => (await post('/v2/did/verify-vc', body)).body as Json;
          const otherIssuer = (await request(app).get('/v2/did/issuers')).body.find((i: Json) => !(i['formats'] as string[]).includes(f.format)).did;
          const until = f.dataModel === '2.0' ? 'validUntil' : 'expirationDate';
          const cases: [string, Json, string][] = [];
          const claim = clone(credential);
          (claim['credentialSubject'] as Json)['name'] = 'Kim';
          const sub = clone(credential);
          (sub['credentialSubject'] as Json)['sub'] = f.dataModel === '2.0' ? 'urn:w3kit:user:root' : 'root';
          const issuer = clone(credential);
          issuer['issuer'] = f.format === 'jwt' ? { id: otherIssuer } : otherIssuer;
          const validity = clone(credential);
          validity[until] = '2099-01-01T00:00:00Z';
          if (f.format === 'jwt') {
            const jwt = (credential['proof'] as { jwt: string }).jwt;
            const withJwt = (changed: string) => ({ ...clone(credential), proof: { type: 'JwtProof2020', jwt: changed } });
            cases.push(
              ['claim (JSON)', claim, 'PAYLOAD_MISMATCH'],
              ['sub (JSON)', sub, 'PAYLOAD_MISMATCH'],
              ['issuer (JSON)', issuer, 'PAYLOAD_MISMATCH'],
              ['validity (JSON)', validity, 'PAYLOAD_MISMATCH'],
              ['claim (JWT)', normalizeCredential(withPayload(jwt, (p) => ((p['vc'] as { credentialSubject: Json }).credentialSubject['name'] = 'Kim'))), 'SIGNATURE_INVALID'],
              ['issuer (JWT)', withJwt(withPayload(jwt, (p) => (p['iss'] = otherIssuer))), 'SIGNATURE_INVALID'],
              ['validity (JWT)', withJwt(withPayload(jwt, (p) => (p['exp'] = Number(p['exp']) + 3600))), 'SIGNATURE_INVALID'],
              ['signature', withJwt(withBadSignature(jwt)), 'SIGNATURE_INVALID'],
            );
          } else {
            cases.push(
              ['claim', claim, 'SIGNATURE_INVALID'],
              ['sub', sub, 'SIGNATURE_INVALID'],
              // every proof's key must be one the issuer authorizes, checked before any signature
              ['issuer', issuer, 'ISSUER_MISMATCH'],
              ['validity', validity, 'SIGNATURE_INVALID'],
              ['signature', withBadProofValue(credential), 'SIGNATURE_INVALID'],
            );
          }
          for (const [what, tampered, code] of cases) {
            const res = await verify(tampered);
            assert.equal(res['verified'], false, what);
            assert.equal(res['code'], code, `${what}: ${String(res['reason'])}`);
            assert.equal(typeof res['reason'], 'string');
          }
          assert.equal((await verify(credential))['verified'], true);
        });
      }

      it('a credential past its expiry is not verified, in every format (EXPIRED)', async () => {
        const user = await createUser(kit);
        const holder = await custodialDid();
        const credentials = [];
        for (const f of FORMATS) credentials.push(await issue(user.bearer, holder.did, f));
        const now = clock.now().getTime();
        clock.advance(366 * 24 * 3600 * 1000);
        try {
          for (const [i, credential] of credentials.entries()) {
            const res = await post('/v2/did/verify-vc', credential);
            assert.equal(res.body.verified, false, FORMATS[i]!.label);
            assert.equal(res.body.code, 'EXPIRED', `${FORMATS[i]!.label}: ${res.body.reason}`);
          }
        } finally {
          clock.set(now);
        }
      });

      it('credentials signed by did-jwt-vc and @digitalbazaar/vc with the test’s own keys verify through verify-vc', async () => {
        const holder = 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf';
        const now = new Date(clock.now().getTime() - 60_000);
        const issuanceDate = now.toISOString().replace(/\.\d+Z$/, 'Z');
        const signed: [string, Json][] = [];
        // did-jwt-vc, ES256K with a did:ethr key, and EdDSA with a did:key
        const wallet = walletKey();
        const es256k = await createVerifiableCredentialJwt(
          { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential', 'Profile'], issuer: wallet.did, issuanceDate, credentialSubject: { id: holder, name: 'Lee' } },
          wallet.issuer,
        );
        signed.push(['did-jwt-vc ES256K did:ethr', normalizeCredential(es256k)]);
        // ES256K-R: the 65-byte signature with its recovery byte, as uPort-era wallets sign
        const recoverable = await createVerifiableCredentialJwt(
          { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], issuer: wallet.did, issuanceDate, credentialSubject: { id: holder, name: 'Lee' } },
          { did: wallet.did, alg: 'ES256K-R', signer: ES256KSigner(Buffer.from(wallet.privateKey.slice(2), 'hex'), true) },
        );
        assert.equal(Buffer.from(recoverable.split('.')[2]!, 'base64url').length, 65);
        signed.push(['did-jwt-vc ES256K-R did:ethr', normalizeCredential(recoverable)]);
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        const jwk = publicKey.export({ format: 'jwk' });
        const edDid = `did:key:${(await Ed25519Multikey.fromJwk({ jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x! } })).publicKeyMultibase}`;
        const eddsa = await createVerifiableCredentialJwt(
          { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], issuer: edDid, issuanceDate, credentialSubject: { id: holder, name: 'Lee' } },
          { did: edDid, alg: 'EdDSA', signer: EdDSASigner(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url')) },
        );
        signed.push(['did-jwt-vc EdDSA did:key (bare JWT string)', { proof: { type: 'JwtProof2020', jwt: eddsa } }]);
        // @digitalbazaar/vc with the test's keys, through Digital Bazaar's own loader
        const loader = referenceDocumentLoader(fetchDocument);
        const ed2020 = await Ed25519VerificationKey2020.generate();
        ed2020.controller = `did:key:${ed2020.fingerprint()}`;
        ed2020.id = `${ed2020.controller}#${ed2020.fingerprint()}`;
        const multikey = await Ed25519Multikey.generate();
        multikey.controller = `did:key:${multikey.publicKeyMultibase}`;
        multikey.id = `${multikey.controller}#${multikey.publicKeyMultibase}`;
        const p256 = await EcdsaMultikey.generate({ curve: 'P-256' });
        p256.controller = `did:key:${p256.publicKeyMultibase}`;
        p256.id = `${p256.controller}#${p256.publicKeyMultibase}`;
        const v2 = (issuer: string): Json => ({
          '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/undefined-terms/v2'],
          type: ['VerifiableCredential'],
          issuer,
          validFrom: issuanceDate,
          credentialSubject: { id: holder, name: 'Lee' },
        });
        const v1 = (issuer: string, extra: string[]): Json => ({
          '@context': ['https://www.w3.org/2018/credentials/v1', ...extra, 'https://www.w3.org/ns/credentials/undefined-terms/v2'],
          type: ['VerifiableCredential'],
          issuer,
          issuanceDate,
          credentialSubject: { id: holder, name: 'Lee' },
        });
        signed.push([
          'vc Ed25519Signature2020 VC 1.1',
          await vc.issue({
            credential: v1(ed2020.controller, ['https://w3id.org/security/suites/ed25519-2020/v1']),
            suite: new Ed25519Signature2020({ signer: ed2020.signer() }),
            documentLoader: loader,
          }),
        ]);
        signed.push([
          'vc eddsa-rdfc-2022 VC 2.0',
          await vc.issue({ credential: v2(multikey.controller), suite: new DataIntegrityProof({ signer: multikey.signer(), cryptosuite: eddsaRdfc2022 }), documentLoader: loader }),
        ]);
        signed.push([
          'vc eddsa-rdfc-2022 VC 1.1',
          await vc.issue({
            credential: v1(multikey.controller, ['https://w3id.org/security/data-integrity/v2']),
            suite: new DataIntegrityProof({ signer: multikey.signer(), cryptosuite: eddsaRdfc2022 }),
            documentLoader: loader,
          }),
        ]);
        signed.push([
          'vc ecdsa-rdfc-2019 VC 2.0',
          await vc.issue({ credential: v2(p256.controller), suite: new DataIntegrityProof({ signer: p256.signer(), cryptosuite: ecdsaRdfc2019 }), documentLoader: loader }),
        ]);
        for (const [what, credential] of signed) {
          const res = await post('/v2/did/verify-vc', credential);
          assert.equal(res.status, 200);
          assert.equal(res.body.verified, true, `${what}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.subject, holder, what);
          const changed = clone(credential);
          if (changed['credentialSubject']) (changed['credentialSubject'] as Json)['name'] = 'Park';
          else changed['proof'] = { type: 'JwtProof2020', jwt: withBadSignature(eddsa) };
          assert.equal((await post('/v2/did/verify-vc', changed)).body.verified, false, `${what} (tampered)`);
        }
      });

      it('create-vc: 401 without a token; 400 for an unknown issuer, a format it cannot sign, id or sub in userInfo, an unresolvable holder, bad fields', async () => {
        const user = await createUser(kit);
        const holder = (await custodialDid()).did;
        const issuers = (await request(app).get('/v2/did/issuers')).body as Json[];
        const none = await post('/v2/did/create-vc', { holder, userInfo: {} });
        assert.equal(none.status, 401);
        assert.equal(none.body.code, 'UNAUTHENTICATED');
        const cases: [Json, number, string, string?][] = [
          [{ holder, issuer: 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4', userInfo: {} }, 400, 'UNKNOWN_ISSUER'],
          [{ holder, issuer: issuers[0]!['did'], format: 'eddsa-rdfc-2022', userInfo: {} }, 400, 'FORMAT_NOT_SUPPORTED_BY_ISSUER', `${String(issuers[0]!['did'])} signs jwt, not eddsa-rdfc-2022.`],
          [{ holder, format: 'jwt', dataModel: '2.0', userInfo: {} }, 400, 'FORMAT_NOT_SUPPORTED_BY_ISSUER', 'JWT credentials (JwtProof2020) are VC 1.1; use a Data Integrity format for VC 2.0.'],
          [{ holder, userInfo: { sub: 'root' } }, 400, 'INVALID_USER_INFO', 'userInfo must not set id or sub: the server sets them.'],
          [{ holder, userInfo: { id: 'did:ethr:0x1' } }, 400, 'INVALID_USER_INFO'],
          [{ holder: 'did:web:example.com', userInfo: {} }, 400, 'INVALID_DID', 'holder: the DID method "did:web" is not supported; this server resolves did:ethr and did:key offline'],
          [{ holder: 'Hong:not-a-did', userInfo: { name: ['x'] }, format: 'rsa' }, 400, 'VALIDATION_FAILED'],
        ];
        for (const [body, status, code, message] of cases) {
          const res = await post('/v2/did/create-vc', body, user.bearer);
          assert.equal(res.status, status, JSON.stringify(body));
          assert.equal(res.body.code, code, JSON.stringify(res.body));
          if (message) assert.equal(res.body.message, message);
        }
        const invalid = await post('/v2/did/create-vc', { holder: 'Hong:not-a-did', userInfo: { name: ['x'] }, format: 'rsa' }, user.bearer);
        assert.deepEqual(invalid.body.issues, [
          'holder: has an invalid format.',
          'userInfo.name: not a valid value.',
          'format: must be one of "jwt", "eddsa-rdfc-2022", "ecdsa-rdfc-2019", "Ed25519Signature2020".',
        ]);
        assert.equal((await post('/v2/did/create-vc', { holder, userInfo: {} }, 'Bearer forged')).body.code, 'INVALID_TOKEN');
        const rows = await kit.services.db.withTables<{ did_credentials: { requested_by: string } }>().selectFrom('did_credentials').selectAll().where('requested_by', '=', user.account.id).execute();
        assert.equal(rows.length, 0, 'a refused request writes nothing');
      });

      it('verify-vc: 400 for a body without proof or malformed JSON; unknown proofs, contexts and DID methods are not verified, with the reason', async () => {
        const missing = await post('/v2/did/verify-vc', { issuer: {} });
        assert.equal(missing.status, 400);
        assert.deepEqual(missing.body.issues, ['proof: is required.']);
        const json = await request(app).post('/v2/did/verify-vc').set('content-type', 'application/json').send('{"proof":');
        assert.equal(json.status, 400);
        assert.equal(json.body.code, 'INVALID_JSON');
        const unsupported = await post('/v2/did/verify-vc', { '@context': ['https://www.w3.org/2018/credentials/v1'], proof: { type: 'RsaSignature2018' } });
        assert.equal(unsupported.status, 200);
        assert.equal(unsupported.body.verified, false);
        assert.equal(unsupported.body.code, 'UNSUPPORTED_PROOF');
        const user = await createUser(kit);
        const credential = await issue(user.bearer, (await custodialDid()).did, FORMATS[2]!);
        const context = clone(credential);
        (context['@context'] as string[]).push('https://example.com/contexts/mine.jsonld');
        const contextRes = await post('/v2/did/verify-vc', context);
        assert.equal(contextRes.body.verified, false);
        assert.equal(contextRes.body.code, 'CONTEXT_UNAVAILABLE');
        assert.match(contextRes.body.reason, /https:\/\/example\.com\/contexts\/mine\.jsonld is not bundled with this server/);
        const web = await post('/v2/did/verify-vc', { proof: { type: 'JwtProof2020', jwt: withPayload((SEED.verifyVc['proof'] as { jwt: string }).jwt, (p) => (p['iss'] = 'did:web:example.com')) } });
        assert.equal(web.body.verified, false);
        assert.equal(web.body.code, 'DID_UNRESOLVABLE');
        assert.match(web.body.reason, /did:web/);
      });
    });

    describe('did: revocation (Bitstring Status List)', () => {
      it('revoke-vc sets the credential’s entry: verify-vc says REVOKED in every format; the signed status list says so to anyone', async () => {
        const user = await createUser(kit);
        const holder = (await custodialDid()).did;
        for (const f of FORMATS) {
          const credential = await issue(user.bearer, holder, f);
          const entry = credential['credentialStatus'] as { statusListCredential: string; statusListIndex: string };
          const revoked = await post('/v2/did/revoke-vc', { credentialId: credential['id'] }, user.bearer);
          assert.equal(revoked.status, 200);
          assert.equal(revoked.body.revoked, true);
          assert.equal(revoked.body.statusListCredential, entry.statusListCredential);
          assert.equal(revoked.body.statusListIndex, Number(entry.statusListIndex));
          const res = await post('/v2/did/verify-vc', credential);
          assert.equal(res.body.verified, false, f.label);
          assert.equal(res.body.code, 'REVOKED');
          assert.equal(res.body.revoked, true);
          assert.match(res.body.reason, /^the credential was revoked on \d{4}-/);
          // the status list credential, as an outside verifier fetches it
          const list = (await request(app).get(new URL(entry.statusListCredential).pathname)).body as Json;
          if (f.format === 'jwt') {
            const verified = await verifyCredential((list['proof'] as { jwt: string }).jwt, ethrReferenceResolver());
            const encoded = (verified.verifiableCredential.credentialSubject as { encodedList: string }).encodedList;
            assert.equal((await BitstringStatusList.decode({ encodedList: encoded })).getStatus(Number(entry.statusListIndex)), true);
          } else {
            const loader = referenceDocumentLoader(fetchDocument);
            const status = await checkStatus({ credential, documentLoader: loader, suite: referenceSuites() });
            assert.equal(status.verified, true, String(status.error));
            assert.equal(status.results![0]!.status, true);
          }
        }
      });

      it('revoke-vc: by credential or id, only for the account it was issued for; 404 unknown; 401 without a token; a second revocation changes nothing', async () => {
        const user = await createUser(kit);
        const other = await createUser(kit);
        const credential = await issue(user.bearer, (await custodialDid()).did, FORMATS[0]!);
        const forbidden = await post('/v2/did/revoke-vc', { credential }, other.bearer);
        assert.equal(forbidden.status, 403);
        assert.equal(forbidden.body.code, 'NOT_CREDENTIAL_ISSUER');
        assert.equal((await post('/v2/did/verify-vc', credential)).body.verified, true);
        const unknown = await post('/v2/did/revoke-vc', { credentialId: 'urn:uuid:00000000-0000-4000-8000-000000000000' }, user.bearer);
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.code, 'CREDENTIAL_NOT_FOUND');
        const empty = await post('/v2/did/revoke-vc', {}, user.bearer);
        assert.equal(empty.status, 404);
        assert.deepEqual(empty.body.issues, ['credentialId: is required.']);
        assert.equal((await post('/v2/did/revoke-vc', { credentialId: credential['id'] })).status, 401);
        const first = await post('/v2/did/revoke-vc', { credential: (credential['proof'] as { jwt: string }).jwt }, user.bearer);
        assert.equal(first.status, 200);
        const second = await post('/v2/did/revoke-vc', { credential }, user.bearer);
        assert.equal(second.status, 200);
        assert.equal(second.body.revokedAt, first.body.revokedAt);
      });

      it('serves 404 for an unknown status list', async () => {
        const res = await request(app).get('/v2/did/status-lists/00000000-0000-4000-8000-000000000000');
        assert.equal(res.status, 404);
        assert.equal(res.body.code, 'STATUS_LIST_NOT_FOUND');
      });
    });
  });
}
