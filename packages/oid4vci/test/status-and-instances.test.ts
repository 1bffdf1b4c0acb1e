import assert from 'node:assert/strict';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { testDatabases } from '@w3kit/core/testing';
import { CONFIGURATIONS } from '@w3kit/oid4vci';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { endUser, issuerForSuite, newWallet, offerFor, receiveCredential, type Issuer } from './support.js';

const statusOf = (sdJwtVc: string) => (decodeJwt(sdJwtVc.split('~')[0]!)['status'] as { status_list: { idx: number; uri: string } }).status_list;

async function revoke(issuer: Issuer, token: string, entry: { uri: string; idx: number }) {
  const res = await fetch(`${issuer.publicUrl}/v2/oid4vci/credentials/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(entry),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vci revocation: a Token Status List of the SD-JWT VCs', function () {
      this.timeout(60_000);
      const suite = issuerForSuite(kind);

      it('the holder revokes; the signed status list token and the contract say invalid; another account may not revoke it', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const other = await endUser(issuer, 'Someone Else');
        const credential = (await receiveCredential(await newWallet(), (await offerFor(issuer, token, CONFIGURATIONS.sdJwt)).credential_offer)) as string;
        const entry = statusOf(credential);
        const listToken = async () => {
          const res = await fetch(entry.uri);
          assert.equal(res.headers.get('content-type'), 'application/statuslist+jwt');
          const jwt = await res.text();
          const jwks = (await (await fetch(`${issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as { jwks: { keys: object[] } };
          const { payload } = await jwtVerify(jwt, await importJWK(jwks.jwks.keys[0] as never, 'ES256'), { typ: 'statuslist+jwt' });
          assert.equal(payload.sub, entry.uri);
          assert.equal(decodeProtectedHeader(jwt).typ, 'statuslist+jwt');
          return getListFromStatusListJWT(jwt);
        };
        assert.equal((await listToken()).getStatus(entry.idx), 0);
        const [first, second] = [await (await fetch(entry.uri)).text(), await (await fetch(entry.uri)).text()];
        assert.equal(second, first, 'an unchanged list is not signed again for every fetch (ES256 signatures differ each time)');
        const refused = await revoke(issuer, other.token, entry);
        assert.equal(refused.status, 403);
        assert.equal(refused.body['code'], 'OFFER_FORBIDDEN');
        assert.equal((await listToken()).getStatus(entry.idx), 0);
        const revoked = await revoke(issuer, token, entry);
        assert.equal(revoked.status, 200);
        assert.deepEqual(revoked.body, { ...entry, revoked: true });
        assert.equal((await listToken()).getStatus(entry.idx), 1, 'the revocation shows in the very next fetch');
        assert.notEqual(await (await fetch(entry.uri)).text(), first);
        assert.equal(await issuer.kit.services.sdJwtVcIssuer.statusOf(entry), 'invalid');
        const unknown = await revoke(issuer, token, { uri: entry.uri, idx: (entry.idx + 1) % 131_072 });
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body['code'], 'CREDENTIAL_NOT_FOUND');
        assert.equal(await issuer.kit.services.sdJwtVcIssuer.statusOf({ uri: 'https://elsewhere.example/list', idx: entry.idx }), undefined);
      });
    });

    describe('oid4vci issuer key rotation', function () {
      this.timeout(60_000);
      const suite = issuerForSuite(kind);

      it('after a rotation the next SD-JWT VC names the new kid; the earlier kid stays published and known to the contract', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const kidOf = (credential: string) => decodeProtectedHeader(credential.split('~')[0]!).kid!;
        const before = kidOf((await receiveCredential(await newWallet(), (await offerFor(issuer, token, CONFIGURATIONS.sdJwt)).credential_offer)) as string);
        const { kid } = await issuer.kit.services.oid4vciIssuerKeys.rotate();
        const after = kidOf((await receiveCredential(await newWallet(), (await offerFor(issuer, token, CONFIGURATIONS.sdJwt)).credential_offer)) as string);
        assert.equal(after, kid);
        assert.notEqual(after, before);
        const jwks = (await (await fetch(`${issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as { jwks: { keys: { kid: string }[] } };
        assert.deepEqual(jwks.jwks.keys.map((k) => k.kid).sort(), [before, after].sort());
        assert.ok(await issuer.kit.services.sdJwtVcIssuer.issuerKey(before));
      });
    });

    if (kind !== 'sqlite') {
      describe('oid4vci two instances: offer on A, token on B, credential on A', function () {
        this.timeout(60_000);
        const suite = issuerForSuite(kind, { instances: 2, route: (path) => (path.startsWith('/oid4vci/token') ? 1 : 0) });

        it('the wallet receives an SD-JWT VC with a tx_code across the instances, signed by the one issuer key', async () => {
          const { issuer } = suite;
          const { token } = await endUser(issuer);
          const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, 'sms');
          const code = /(\d{6})/.exec(issuer.outbox.sms.at(-1)!.text)![1]!;
          const credential = (await receiveCredential(await newWallet(), offer.credential_offer, code)) as string;
          assert.deepEqual(issuer.served[1], ['/oid4vci/token']);
          assert.ok(issuer.served[0]!.includes('/oid4vci/credential') && issuer.served[0]!.includes('/v2/oid4vci/offers'));
          const kid = decodeProtectedHeader(credential.split('~')[0]!).kid!;
          for (const kit of issuer.kits) assert.ok(await kit.services.sdJwtVcIssuer.issuerKey(kid));
          // and a status set on A is read on B
          await issuer.kits[0]!.services.issuanceService.revoke(
            { accountId: (await issuer.kits[1]!.services.sdJwtVcIssuer.accountIdForSubject(String(decodeJwt(credential.split('~')[0]!).sub)))!, accountType: 'end_user' },
            statusOf(credential),
          );
          assert.equal(await issuer.kits[1]!.services.sdJwtVcIssuer.statusOf(statusOf(credential)), 'invalid');
        });
      });
    }
  });
}
