import assert from 'node:assert/strict';
import { createManualClock, testDatabases } from '@w3kit/core/testing';
import { CONFIGURATIONS } from '@w3kit/oid4vci';
import { generateKeyPair } from 'jose';
import {
  createOffer,
  endUser,
  freshNonce,
  handMadeProof,
  newWallet,
  offerFor,
  postCredential,
  postToken,
  preAuthorizedCodeOf,
  PRE_AUTH_GRANT,
  issuerForSuite,
  txCodeIn,
  walletToken,
  type Issuer,
} from './support.js';

const now = () => Math.floor(Date.now() / 1000);

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vci refusals: each bad input answers its status and OAuth error body', function () {
      this.timeout(60_000);
      const clock = createManualClock(Date.now());
      // many token requests from one address here: the per-IP limit is not what these tests are about
      const suite = issuerForSuite(kind, { clock, rateLimits: { 'oid4vci.token': { limit: 1000, windowSeconds: 60 } } });
      let issuer: Issuer;
      beforeEach(() => {
        clock.set(Date.now());
        issuer = suite.issuer;
      });

      /** A wallet holding an access token for a fresh SD-JWT VC offer. */
      async function walletWithToken() {
        const { token } = await endUser(issuer);
        const wallet = await newWallet();
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt);
        return { wallet, ...(await walletToken(wallet, offer.credential_offer)) };
      }

      const proof = (w: Awaited<ReturnType<typeof walletWithToken>>, payload: Record<string, unknown>) =>
        handMadeProof(w.wallet.privateKey, { jwk: w.wallet.publicJwk }, { aud: issuer.publicUrl, iat: now(), ...payload });

      it('a proof with a nonce the nonce endpoint never gave: 400 invalid_nonce', async () => {
        const w = await walletWithToken();
        const res = await postCredential(issuer, w.accessToken, w.credentialConfigurationId, await proof(w, { nonce: 'made-up-nonce' }));
        assert.equal(res.status, 400);
        assert.equal(res.body['error'], 'invalid_nonce');
        assert.match(String(res.body['error_description']), /nonce/);
      });

      it('a nonce used by one credential request cannot sign a second: 400 invalid_nonce', async () => {
        const first = await walletWithToken();
        const nonce = await freshNonce(issuer);
        assert.equal((await postCredential(issuer, first.accessToken, first.credentialConfigurationId, await proof(first, { nonce }))).status, 200);
        const second = await walletWithToken();
        const res = await postCredential(issuer, second.accessToken, second.credentialConfigurationId, await proof(second, { nonce }));
        assert.equal(res.status, 400);
        assert.equal(res.body['error'], 'invalid_nonce');
      });

      it('a proof whose aud is another issuer: 400 invalid_proof, and its nonce stays usable', async () => {
        const w = await walletWithToken();
        const nonce = await freshNonce(issuer);
        const res = await postCredential(issuer, w.accessToken, w.credentialConfigurationId, await proof(w, { nonce, aud: 'https://other-issuer.example' }));
        assert.equal(res.status, 400);
        assert.equal(res.body['error'], 'invalid_proof');
        assert.match(String(res.body['error_description']), /aud/);
        assert.equal((await postCredential(issuer, w.accessToken, w.credentialConfigurationId, await proof(w, { nonce }))).status, 200);
      });

      it('a proof whose iat is stale (10 minutes old) or in the future: 400 invalid_proof', async () => {
        const w = await walletWithToken();
        for (const iat of [now() - 600, now() + 600]) {
          const res = await postCredential(issuer, w.accessToken, w.credentialConfigurationId, await proof(w, { nonce: await freshNonce(issuer), iat }));
          assert.equal(res.status, 400);
          assert.equal(res.body['error'], 'invalid_proof');
          assert.match(String(res.body['error_description']), /iat/);
        }
      });

      it('a proof naming the wallet key but signed by another key: 400 invalid_proof', async () => {
        const w = await walletWithToken();
        const other = await generateKeyPair('ES256');
        const jwt = await handMadeProof(other.privateKey, { jwk: w.wallet.publicJwk }, { aud: issuer.publicUrl, iat: now(), nonce: await freshNonce(issuer) });
        const res = await postCredential(issuer, w.accessToken, w.credentialConfigurationId, jwt);
        assert.equal(res.status, 400);
        assert.equal(res.body['error'], 'invalid_proof');
        assert.match(String(res.body['error_description']), /signature/);
      });

      it('a second credential request with the same access token: 400 credential_request_denied', async () => {
        const w = await walletWithToken();
        assert.equal((await postCredential(issuer, w.accessToken, w.credentialConfigurationId, await proof(w, { nonce: await freshNonce(issuer) }))).status, 200);
        const res = await postCredential(issuer, w.accessToken, w.credentialConfigurationId, await proof(w, { nonce: await freshNonce(issuer) }));
        assert.equal(res.status, 400);
        assert.equal(res.body['error'], 'credential_request_denied');
      });

      it('a credential request without or with a forged access token: 401 invalid_token', async () => {
        const w = await walletWithToken();
        const jwt = await proof(w, { nonce: await freshNonce(issuer) });
        for (const token of ['not-a-token', `${w.accessToken.slice(0, -4)}AAAA`]) {
          const res = await postCredential(issuer, token, w.credentialConfigurationId, jwt);
          assert.equal(res.status, 401);
          assert.equal(res.body['error'], 'invalid_token');
        }
      });

      it('a pre-authorized code used once: the second token request is 400 invalid_grant', async () => {
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt);
        const code = await preAuthorizedCodeOf(offer.credential_offer);
        assert.equal((await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code })).status, 200);
        const again = await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code });
        assert.equal(again.status, 400);
        assert.equal(again.body['error'], 'invalid_grant');
      });

      it('an offer document is served once: the second fetch is 404 offer_not_found', async () => {
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt);
        assert.equal((await fetch(offer.credential_offer_uri)).status, 200);
        const again = await fetch(offer.credential_offer_uri);
        assert.equal(again.status, 404);
        assert.equal(((await again.json()) as Record<string, unknown>)['error'], 'offer_not_found');
      });

      it('an expired offer: its code is 400 invalid_grant after offerTtlSeconds', async () => {
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt);
        const code = await preAuthorizedCodeOf(offer.credential_offer);
        clock.advance(601_000);
        const res = await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code });
        assert.equal(res.status, 400);
        assert.equal(res.body['error'], 'invalid_grant');
      });

      it('a wrong tx_code is 400 invalid_grant; after 5 tries the right code is refused too; a missing one is invalid_request', async () => {
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, 'sms');
        const right = txCodeIn(issuer.outbox.sms.at(-1)!.text);
        const wrong = right === '000000' ? '111111' : '000000';
        const code = await preAuthorizedCodeOf(offer.credential_offer);
        const missing = await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code });
        assert.equal(missing.status, 400);
        assert.equal(missing.body['error'], 'invalid_request');
        // the missing one counted as a try: 4 wrong ones use the other tries up
        for (let i = 0; i < 4; i++) {
          const res = await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code, tx_code: wrong });
          assert.equal(res.status, 400);
          assert.equal(res.body['error'], 'invalid_grant');
          assert.match(String(res.body['error_description']), /transaction code is wrong/);
        }
        const exhausted = await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code, tx_code: right });
        assert.equal(exhausted.status, 400);
        assert.equal(exhausted.body['error'], 'invalid_grant');
      });

      it('20 concurrent wrong tx_codes: at most 5 are compared, the rest refused unread, and the right code no longer works', async () => {
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, 'sms');
        const right = txCodeIn(issuer.outbox.sms.at(-1)!.text);
        const code = await preAuthorizedCodeOf(offer.credential_offer);
        const guesses = Array.from({ length: 20 }, (_, i) => String(i).padStart(6, '9')).filter((g) => g !== right);
        const answers = await Promise.all(guesses.map((tx_code) => postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code, tx_code })));
        assert.ok(answers.every((a) => a.status === 400 && a.body['error'] === 'invalid_grant'));
        const compared = answers.filter((a) => /transaction code is wrong/.test(String(a.body['error_description']))).length;
        assert.ok(compared <= 5, `${compared} guesses were compared`);
        assert.equal((await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code, tx_code: right })).status, 400);
      });

      it('the right tx_code after wrong ones (within the bound) gives the token', async () => {
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, 'sms');
        const right = txCodeIn(issuer.outbox.sms.at(-1)!.text);
        const code = await preAuthorizedCodeOf(offer.credential_offer);
        assert.equal((await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code, tx_code: right === '000000' ? '111111' : '000000' })).status, 400);
        const res = await postToken(issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': code, tx_code: right });
        assert.equal(res.status, 200);
        assert.equal(res.body['token_type'], 'Bearer');
      });

      it('offers: an end user for another account, and an organization for a user not associated with it, are 403; an unknown configuration 400', async () => {
        const alice = await endUser(issuer);
        const bob = await endUser(issuer);
        const forBob = await createOffer(issuer, alice.token, { credential_configuration_id: CONFIGURATIONS.sdJwt, account_id: bob.account.id });
        assert.equal(forBob.status, 403);
        assert.equal(forBob.body['code'], 'OFFER_FORBIDDEN');
        const { account: org } = await issuer.kit.services.accountService.createOrganization({ name: 'Acme', domain: 'acme.example', email: 'ops@acme.example' });
        const orgToken = (await issuer.kit.services.tokenService.issueAccessToken(org)).token;
        const byOrg = await createOffer(issuer, orgToken, { credential_configuration_id: CONFIGURATIONS.sdJwt, account_id: bob.account.id });
        assert.equal(byOrg.status, 403);
        assert.equal(byOrg.body['code'], 'OFFER_FORBIDDEN');
        await issuer.kit.services.accountStore.associate(org.id, bob.account.id, 'association_page', new Date());
        assert.equal((await createOffer(issuer, orgToken, { credential_configuration_id: CONFIGURATIONS.sdJwt, account_id: bob.account.id })).status, 201);
        const unknown = await createOffer(issuer, alice.token, { credential_configuration_id: 'no_such_thing' });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body['code'], 'UNKNOWN_CREDENTIAL_CONFIGURATION');
      });
    });
  });
}
