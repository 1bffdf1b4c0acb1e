import assert from 'node:assert/strict';
import { decodeSdJwt, getClaims } from '@sd-jwt/decode';
import { digest } from '@sd-jwt/crypto-nodejs';
import { testDatabases } from '@w3kit/core/testing';
import { CONFIGURATIONS } from '@w3kit/oid4vci';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { endUser, issuerForSuite, newWallet, offerFor, receiveCredential, txCodeIn } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vci issuance: a library wallet receives a credential by pre-authorized code', function () {
      this.timeout(60_000);
      const suite = issuerForSuite(kind);

      it('publishes credential issuer, authorization server and jwt-vc-issuer metadata naming the kit as issuer', async () => {
        const { issuer } = suite;
        const vci = (await (await fetch(`${issuer.publicUrl}/.well-known/openid-credential-issuer`)).json()) as Record<string, unknown>;
        assert.equal(vci['credential_issuer'], issuer.publicUrl);
        assert.equal(vci['nonce_endpoint'], `${issuer.publicUrl}/oid4vci/nonce`);
        assert.deepEqual(Object.keys(vci['credential_configurations_supported'] as object).sort(), Object.values(CONFIGURATIONS).sort());
        const as = (await (await fetch(`${issuer.publicUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
        assert.equal(as['token_endpoint'], `${issuer.publicUrl}/oid4vci/token`);
        const jwtVc = (await (await fetch(`${issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as { issuer: string; jwks: { keys: { kid: string; d?: string }[] } };
        assert.equal(jwtVc.issuer, issuer.publicUrl);
        assert.equal(jwtVc.jwks.keys.length, 1);
        assert.equal(jwtVc.jwks.keys[0]!.d, undefined);
      });

      it('an SD-JWT VC (dc+sd-jwt) without tx_code: the contract profile, each my_info claim disclosable, bound to the wallet key', async () => {
        const { issuer } = suite;
        const { account, token } = await endUser(issuer);
        const wallet = await newWallet();
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt);
        const credential = await receiveCredential(wallet, offer.credential_offer);
        assert.equal(typeof credential, 'string');
        const compact = credential as string;
        const header = decodeProtectedHeader(compact.split('~')[0]!);
        assert.equal(header.typ, 'dc+sd-jwt');
        const jwks = (await (await fetch(`${issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as { jwks: { keys: { kid: string }[] } };
        assert.equal(header.kid, jwks.jwks.keys[0]!.kid);
        // the issuer signature verifies with the published key
        const { payload } = await jwtVerify(compact.split('~')[0]!, await importJWK(jwks.jwks.keys[0] as never, 'ES256'));
        assert.equal(payload.iss, issuer.publicUrl);
        assert.equal(payload.sub, account.id);
        assert.equal(payload['vct'], `${issuer.publicUrl}/credentials/account`);
        assert.deepEqual((payload['cnf'] as { jwk: Record<string, unknown> }).jwk, wallet.publicJwk);
        const status = (payload['status'] as { status_list: { idx: number; uri: string } }).status_list;
        assert.equal(status.uri, `${issuer.publicUrl}/oid4vci/status-lists/1`);
        assert.ok(Number.isInteger(status.idx));
        // the claims are disclosures, not plain claims of the JWT
        assert.equal(payload['name'], undefined);
        const decoded = await decodeSdJwt(compact, digest);
        const claims = await getClaims<Record<string, unknown>>(decoded.jwt.payload, decoded.disclosures, digest);
        assert.equal(claims['name'], 'Hong Gildong');
        assert.equal(claims['email'], account.email);
        assert.ok(decoded.disclosures.some((d) => d.key === 'name'));
        // and the contract the verifier side relies on answers for it
        const contract = issuer.kit.services.sdJwtVcIssuer;
        assert.equal(contract.issuer, issuer.publicUrl);
        assert.deepEqual((await contract.issuerKey(String(header.kid)))?.x, (jwks.jwks.keys[0] as { x?: string }).x);
        assert.equal(await contract.accountIdForSubject(account.id), account.id);
        assert.equal(await contract.statusOf(status), 'valid');
      });

      it('an SD-JWT VC with a tx_code sent by SMS: the wallet sends the code it was told', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const wallet = await newWallet();
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, 'sms');
        const sms = issuer.outbox.sms.at(-1)!;
        assert.equal(sms.to, '+821012345678');
        const credential = await receiveCredential(wallet, offer.credential_offer, txCodeIn(sms.text));
        assert.equal(decodeProtectedHeader((credential as string).split('~')[0]!).typ, 'dc+sd-jwt');
      });

      it('a jwt_vc_json credential from the did plugin, with a tx_code by email, for the wallet key’s did:key', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const wallet = await newWallet();
        const offer = await offerFor(issuer, token, CONFIGURATIONS.jwtVcJson, 'email');
        const credential = await receiveCredential(wallet, offer.credential_offer, txCodeIn(issuer.outbox.email.at(-1)!.text));
        assert.equal(typeof credential, 'string');
        const payload = decodeJwt(credential as string);
        assert.match(String(payload.sub), /^did:key:zDn/);
        const verified = await issuer.kit.services.credentialService.verify(credential);
        assert.equal(verified.verified, true, JSON.stringify(verified.problems));
      });

      it('an ldp_vc (Data Integrity) credential from the did plugin, for the wallet key’s did:key', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const wallet = await newWallet();
        const offer = await offerFor(issuer, token, CONFIGURATIONS.ldpVc);
        const credential = (await receiveCredential(wallet, offer.credential_offer)) as Record<string, unknown>;
        assert.match(String((credential['credentialSubject'] as { id: string }).id), /^did:key:zDn/);
        assert.equal((credential['proof'] as { cryptosuite?: string }).cryptosuite, 'eddsa-rdfc-2022');
        const verified = await issuer.kit.services.credentialService.verify(credential);
        assert.equal(verified.verified, true, JSON.stringify(verified.problems));
      });
    });
  });
}
