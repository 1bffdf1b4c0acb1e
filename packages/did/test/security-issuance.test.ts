import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { appFor, createOrganization, createUser, didKit, poster, walletKey, walletPresentation, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const V1 = 'https://www.w3.org/2018/credentials/v1';
const V2 = 'https://www.w3.org/ns/credentials/v2';
const UNDEFINED_TERMS = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
const KYC = { id: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf', sub: 'alice', kyc: 'passed' };
const v1 = (extra: Json = {}) => ({ '@context': [V1, UNDEFINED_TERMS], type: ['VerifiableCredential'], credentialSubject: KYC, ...extra });
// the VC 2.0 context defines `sub` as an IRI, so the 2.0 form names alice differently
const v2 = (extra: Json = {}) => ({ '@context': [V2, UNDEFINED_TERMS], type: ['VerifiableCredential'], credentialSubject: { id: KYC.id, name: 'alice', kyc: 'passed' }, ...extra });
const issuerOf = (credential: Json) => (typeof credential['issuer'] === 'string' ? credential['issuer'] : (credential['issuer'] as Json)['id']) as string;
const iso = (ms: number) => new Date(ms).toISOString();

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: TestApp;
    let clock: ManualClock;
    let kitIssuers: { did: string; formats: string[] }[];

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      kit = await didKit(db.url, {}, { services: { clock } });
      app = appFor(kit).callback();
      kitIssuers = (await request(app).get('/v2/did/issuers')).body;
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, bearer?: string, on: TestApp = app) => poster(on)(path, body, bearer);
    const myIssuers = async (bearer: string, on: TestApp = app) =>
      (await request(on).get('/v2/did/my-issuers').set('authorization', bearer)).body as { did: string; formats: string[]; provider: string }[];

    describe('did security: VC-API issues as the organization’s own DIDs', () => {
      it('an organization’s {sub: alice, kyc: passed} names its own DID in each format, never an issuer of GET /v2/did/issuers; verify-vc says who signed', async () => {
        const org = await createOrganization(kit);
        const own = await myIssuers(org.bearer);
        assert.deepEqual(
          own.map((i) => i.provider),
          ['did:ethr', 'did:key', 'did:key'],
        );
        assert.deepEqual(
          own.map((i) => i.formats),
          kitIssuers.map((i) => i.formats),
          'one issuer per key type, as the kit has',
        );
        const kitDids = kitIssuers.map((i) => i.did);
        for (const [body, expected] of [
          [{ credential: v1() }, own[0]!.did],
          [{ credential: v2() }, own[1]!.did],
          [{ credential: v2(), options: { format: 'ecdsa-rdfc-2019' } }, own[2]!.did],
          [{ credential: v1(), options: { format: 'Ed25519Signature2020' } }, own[1]!.did],
        ] as const) {
          const issued = await post('/credentials/issue', body, org.bearer);
          assert.equal(issued.status, 201, JSON.stringify(issued.body));
          const credential = issued.body.verifiableCredential as Json;
          assert.equal(issuerOf(credential), expected);
          assert.ok(!kitDids.includes(issuerOf(credential)));
          const verified = await post('/v2/did/verify-vc', credential);
          assert.equal(verified.body.verified, true, JSON.stringify(verified.body));
          assert.equal(verified.body.issuer, expected);
          // its status list is the organization's too, signed by the same DID
          const list = await request(app).get(new URL((credential['credentialStatus'] as Json)['statusListCredential'] as string).pathname);
          assert.equal(list.status, 200);
          assert.equal(issuerOf(list.body), expected);
        }
      });

      it('naming the kit’s issuer is 403 ISSUER_NOT_OWNED, another organization’s DID 403, an unknown DID 400 UNKNOWN_ISSUER; each lists the caller’s own DIDs', async () => {
        const org = await createOrganization(kit);
        const other = await createOrganization(kit);
        const own = (await myIssuers(org.bearer)).map((i) => i.did);
        const theirs = (await myIssuers(other.bearer)).map((i) => i.did);
        assert.equal(new Set([...own, ...theirs]).size, 6, 'two organizations, six distinct DIDs');
        const cases: [Json, number, string, RegExp][] = [
          [v1({ issuer: kitIssuers[0]!.did }), 403, 'ISSUER_NOT_OWNED', /is this server’s own issuer, which attests accounts \(create-vc\)/],
          [v2({ issuer: kitIssuers[1]!.did }), 403, 'ISSUER_NOT_OWNED', /is this server’s own issuer/],
          [v1({ issuer: { id: kitIssuers[0]!.did } }), 403, 'ISSUER_NOT_OWNED', /is this server’s own issuer/],
          [v2({ issuer: theirs[1] }), 403, 'ISSUER_NOT_OWNED', /not one of your organization’s issuer DIDs \(GET \/v2\/did\/my-issuers\)/],
          [v1({ issuer: 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4' }), 400, 'UNKNOWN_ISSUER', /not one of your issuer DIDs/],
        ];
        for (const [credential, status, code, message] of cases) {
          const res = await post('/credentials/issue', { credential }, org.bearer);
          assert.equal(res.status, status, JSON.stringify(res.body));
          assert.equal(res.body.code, code);
          assert.match(res.body.message, message);
          assert.deepEqual(res.body.issuers, own);
          assert.equal(res.body.path, '/credentials/issue');
        }
        const rows = await kit.services.db.withTables<{ did_credentials: { requested_by: string } }>().selectFrom('did_credentials').selectAll().where('requested_by', '=', org.account.id).execute();
        assert.equal(rows.length, 0, 'nothing was issued');
      });

      it('create-vc still signs as the kit’s issuers, and does not take an organization’s DID', async () => {
        const org = await createOrganization(kit);
        const own = await myIssuers(org.bearer);
        const user = await createUser(kit);
        const holder = walletKey().did;
        const created = await post('/v2/did/create-vc', { holder, userInfo: { name: 'Hong' } }, user.bearer);
        assert.equal(created.status, 200);
        assert.equal(issuerOf(created.body), kitIssuers[0]!.did);
        const refused = await post('/v2/did/create-vc', { holder, issuer: own[0]!.did, userInfo: {} }, user.bearer);
        assert.equal(refused.status, 400);
        assert.equal(refused.body.code, 'UNKNOWN_ISSUER');
      });

      it('GET /v2/did/my-issuers: 401 without a token, 403 for an end user; the same DIDs every time and on every instance, keys sealed to their DID', async () => {
        const noToken = await request(app).get('/v2/did/my-issuers');
        assert.equal(noToken.status, 401);
        assert.equal(noToken.body.code, 'UNAUTHENTICATED');
        const user = await createUser(kit);
        const endUser = await request(app).get('/v2/did/my-issuers').set('authorization', user.bearer);
        assert.equal(endUser.status, 403);
        assert.equal(endUser.body.code, 'ORGANIZATION_ONLY');

        // two instances asked at once for a new organization's issuers agree on one key per type
        const second = await didKit(db.url, {}, { services: { clock } });
        try {
          const org = await createOrganization(kit);
          const [a, b] = await Promise.all([myIssuers(org.bearer), myIssuers(org.bearer, appFor(second).callback())]);
          assert.deepEqual(
            a.map((i) => i.did),
            b.map((i) => i.did),
          );
          assert.deepEqual(
            (await myIssuers(org.bearer)).map((i) => i.did),
            a.map((i) => i.did),
          );
          const rows = await kit.services.db
            .withTables<{ did_organization_keys: { did: string; account_id: string; private_key: string } }>()
            .selectFrom('did_organization_keys')
            .selectAll()
            .where('account_id', '=', org.account.id)
            .execute();
          assert.equal(rows.length, 3);
          for (const row of rows) {
            const secret = kit.services.encryption.decrypt(row.private_key, `did.organization-key:${row.did}`).toString('utf8');
            assert.ok(!row.private_key.includes(secret), 'the private key is not stored in the clear');
            assert.throws(
              () => kit.services.encryption.decrypt(row.private_key, `did.organization-key:${rows.find((r) => r.did !== row.did)!.did}`),
              'a ciphertext moved to another DID does not open',
            );
          }
        } finally {
          await second.close();
        }
      });

      it('operatorOrganizations: the operator’s organization issues as the kit’s issuer DIDs and with a past date; the same request by another organization is refused', async () => {
        const operator = await createOrganization(kit);
        const stranger = await createOrganization(kit);
        const operated = await didKit(db.url, { operatorOrganizations: [operator.account.id] }, { services: { clock } });
        try {
          const operatedApp = appFor(operated).callback();
          const past = v1({ issuer: kitIssuers[0]!.did, issuanceDate: '2020-03-16T22:37:26.544Z' });
          const byOperator = await post('/credentials/issue', { credential: past }, operator.bearer, operatedApp);
          assert.equal(byOperator.status, 201, JSON.stringify(byOperator.body));
          assert.equal(issuerOf(byOperator.body.verifiableCredential), kitIssuers[0]!.did);
          // a JWT credential carries whole seconds (nbf)
          assert.equal(byOperator.body.verifiableCredential.issuanceDate, '2020-03-16T22:37:26.000Z');
          const dataIntegrity = await post('/credentials/issue', { credential: v2({ issuer: kitIssuers[2]!.did }) }, operator.bearer, operatedApp);
          assert.equal(dataIntegrity.status, 201);
          assert.equal(issuerOf(dataIntegrity.body.verifiableCredential), kitIssuers[2]!.did);
          // with no issuer named, the operator's organization issues as its own DIDs like any other
          const unnamed = await post('/credentials/issue', { credential: v1() }, operator.bearer, operatedApp);
          assert.equal(issuerOf(unnamed.body.verifiableCredential), (await myIssuers(operator.bearer, operatedApp))[0]!.did);

          const byStranger = await post('/credentials/issue', { credential: v1({ issuer: kitIssuers[0]!.did }) }, stranger.bearer, operatedApp);
          assert.equal(byStranger.status, 403);
          assert.equal(byStranger.body.code, 'ISSUER_NOT_OWNED');
          // without the setting the operator's organization is an organization like any other
          const withoutSetting = await post('/credentials/issue', { credential: v1({ issuer: kitIssuers[0]!.did }) }, operator.bearer);
          assert.equal(withoutSetting.status, 403);
          assert.equal(withoutSetting.body.code, 'ISSUER_NOT_OWNED');
          const backdated = await post('/credentials/issue', { credential: v1({ issuanceDate: '2020-03-16T22:37:26.544Z' }) }, operator.bearer);
          assert.equal(backdated.status, 400);
          assert.equal(backdated.body.code, 'BACKDATED_CREDENTIAL');
        } finally {
          await operated.close();
        }
      });

      it('a VC-API credential of the kit’s issuer (operator) still logs no one in', async () => {
        const operator = await createOrganization(kit);
        const operated = await didKit(db.url, { operatorOrganizations: [operator.account.id] }, { services: { clock } });
        try {
          const operatedApp = appFor(operated).callback();
          const user = await createUser(kit);
          const wallet = walletKey();
          const issued = await post('/credentials/issue', { credential: v1({ issuer: kitIssuers[0]!.did, credentialSubject: { id: wallet.did, sub: user.loginId } }) }, operator.bearer, operatedApp);
          assert.equal(issued.status, 201);
          const verifier = (await request(app).get('/v2/did/verifiers')).body[0].did as string;
          const vp = await walletPresentation(wallet.issuer, [issued.body.verifiableCredential], { aud: verifier });
          const login = await post('/v2/auth/auth-user-with-vp', { vp }, undefined, operatedApp);
          assert.equal(login.status, 401);
          assert.equal(login.body.reason, 'NO_TRUSTED_CREDENTIAL');
        } finally {
          await operated.close();
        }
      });
    });

    describe('did security: VC-API credential dates', () => {
      it('issuanceDate or validFrom in the past beyond the skew: 400 BACKDATED_CREDENTIAL; within it, now or later: 201', async () => {
        const org = await createOrganization(kit);
        const now = clock.now().getTime();
        const refused: [Json, string][] = [
          [v1({ issuanceDate: iso(now - 301_000) }), 'issuanceDate'],
          [v1({ issuanceDate: '2020-03-16T22:37:26.544Z' }), 'issuanceDate'],
          [v2({ validFrom: iso(now - 3 * 86400_000) }), 'validFrom'],
          [v2({ validFrom: `${new Date(now).getUTCFullYear() - 1}-06-01T00:00:00+09:00` }), 'validFrom'],
        ];
        for (const [credential, field] of refused) {
          const res = await post('/credentials/issue', { credential }, org.bearer);
          assert.equal(res.status, 400, JSON.stringify(credential));
          assert.deepEqual(res.body, {
            status: 400,
            error: 'Bad Request',
            code: 'BACKDATED_CREDENTIAL',
            message: 'A credential cannot be dated in the past: leave issuanceDate or validFrom out, or give the current time.',
            path: '/credentials/issue',
            field,
            max_skew_seconds: 300,
          });
        }
        for (const credential of [
          v1({ issuanceDate: iso(now - 299_000) }),
          v1({ issuanceDate: iso(now + 86400_000) }),
          v2({ validFrom: iso(now) }),
          v2({ validFrom: iso(now + 3600_000), validUntil: iso(now + 7200_000) }),
        ]) {
          const res = await post('/credentials/issue', { credential }, org.bearer);
          assert.equal(res.status, 201, `${JSON.stringify(credential)}: ${JSON.stringify(res.body)}`);
        }
      });

      it('issuanceDateSkewSeconds sets the skew', async () => {
        const strict = await didKit(db.url, { issuanceDateSkewSeconds: 10 }, { services: { clock } });
        try {
          const strictApp = appFor(strict).callback();
          const org = await createOrganization(strict);
          const now = clock.now().getTime();
          const late = await post('/credentials/issue', { credential: v1({ issuanceDate: iso(now - 60_000) }) }, org.bearer, strictApp);
          assert.equal(late.status, 400);
          assert.equal(late.body.code, 'BACKDATED_CREDENTIAL');
          assert.equal(late.body.max_skew_seconds, 10);
          assert.equal((await post('/credentials/issue', { credential: v1({ issuanceDate: iso(now - 5_000) }) }, org.bearer, strictApp)).status, 201);
          assert.equal((await post('/credentials/issue', { credential: v1({ issuanceDate: iso(now - 60_000) }) }, org.bearer)).status, 201, 'the default skew (300 s) takes it');
        } finally {
          await strict.close();
        }
      });

      it('a date that is not a date-time is 400 VALIDATION_FAILED naming the field, never 500', async () => {
        const org = await createOrganization(kit);
        const now = clock.now().getTime();
        const cases: [Json, string][] = [
          [v1({ issuanceDate: 'garbage' }), 'credential.issuanceDate: must be an XML Schema dateTime, like 2026-01-31T12:00:00Z.'],
          [v1({ expirationDate: {} }), 'credential.expirationDate: must be an XML Schema dateTime, like 2026-01-31T12:00:00Z.'],
          [v1({ expirationDate: 1767225600 }), 'credential.expirationDate: must be an XML Schema dateTime, like 2026-01-31T12:00:00Z.'],
          [v1({ issuanceDate: '2026-02-30T00:00:00Z' }), 'credential.issuanceDate: must be an XML Schema dateTime, like 2026-01-31T12:00:00Z.'],
          [v1({ issuanceDate: '2026-01-01' }), 'credential.issuanceDate: must be an XML Schema dateTime, like 2026-01-31T12:00:00Z.'],
          [v1({ expirationDate: null }), 'credential.expirationDate: must be an XML Schema dateTime, like 2026-01-31T12:00:00Z.'],
          [v2({ validFrom: 'garbage' }), 'credential.validFrom: must be an XML Schema dateTime with a time zone, like 2026-01-31T12:00:00Z.'],
          [v2({ validUntil: {} }), 'credential.validUntil: must be an XML Schema dateTime with a time zone, like 2026-01-31T12:00:00Z.'],
          [v2({ validUntil: [iso(now + 1000)] }), 'credential.validUntil: must be an XML Schema dateTime with a time zone, like 2026-01-31T12:00:00Z.'],
          [v2({ validUntil: '2030-01-01T00:00:00' }), 'credential.validUntil: must be an XML Schema dateTime with a time zone, like 2026-01-31T12:00:00Z.'],
          [v2({ validFrom: '2030-01-01T25:00:00Z' }), 'credential.validFrom: must be an XML Schema dateTime with a time zone, like 2026-01-31T12:00:00Z.'],
          [v1({ issuanceDate: iso(now), expirationDate: iso(now - 1000) }), 'credential.expirationDate: must be later than issuanceDate.'],
          [v2({ validFrom: iso(now + 5000), validUntil: iso(now + 5000) }), 'credential.validUntil: must be later than validFrom.'],
        ];
        for (const [credential, issue] of cases) {
          const res = await post('/credentials/issue', { credential }, org.bearer);
          assert.equal(res.status, 400, `${JSON.stringify(credential)}: ${JSON.stringify(res.body)}`);
          assert.deepEqual(res.body, { status: 400, error: 'Bad Request', code: 'VALIDATION_FAILED', message: 'The request is not valid.', path: '/credentials/issue', issues: [issue] });
        }
        // found beside the dates: a JWT credential about a bare id was a 500, then a 422; it is a valid VC (the W3C issuer suite's own) and is issued
        const bare = await post('/credentials/issue', { credential: { '@context': [V1], type: ['VerifiableCredential'], credentialSubject: { id: KYC.id } } }, org.bearer);
        assert.equal(bare.status, 201, JSON.stringify(bare.body));
        assert.deepEqual(bare.body.verifiableCredential.credentialSubject, { id: KYC.id });
        assert.equal((await post('/credentials/verify', { verifiableCredential: bare.body.verifiableCredential })).status, 200);
        // a 1.1 date-time without a zone is valid XML Schema (read as UTC), and an expiry is kept
        const unzoned = iso(now + 60_000).replace('Z', '');
        const ok = await post('/credentials/issue', { credential: v1({ issuanceDate: unzoned, expirationDate: iso(now + 86400_000) }) }, org.bearer);
        assert.equal(ok.status, 201, JSON.stringify(ok.body));
        const row = await kit.services.credentialStore.find(ok.body.verifiableCredential.id as string);
        assert.equal(row?.expiresAt?.getTime(), now + 86400_000);
      });
    });
  });
}
