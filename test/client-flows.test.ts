import assert from 'node:assert/strict';
import { accessTokenFromApiKey, createW3kitClient, mintAndVerify, ok, result, W3kitError, type operations, type W3kitClient } from '@w3kit/client';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { sampleStaticMetadata } from '@w3kit/nft/testing';
import { walletKey, walletPresentation } from '../packages/did/test/support.js';
import { endUserWithLogin, startFullKit, verifiedOrganization, type FullKit } from './full-kit.js';

const TOKYO = { latitude: 35.6812, longitude: 139.7671 };
type MintStatic = NonNullable<operations['nft.mint']['requestBody']>['content']['application/json']['metadata']['static'];
// the nft package's sample metadata (valid against the mint body; the sample is typed loosely)
const DIPLOMA = sampleStaticMetadata({ expired_at: '2099-03-31T00:00:00.000Z' }) as MintStatic;

// Whole flows through @w3kit/client against a real kit server (HTTP on loopback), as an
// application would call it: nothing below reaches into the kit but to create the accounts.
for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('docs-client: flows through @w3kit/client', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let full: FullKit;
      let client: W3kitClient;

      before(async () => {
        db = await createTestDatabase(kind);
        full = await startFullKit(db.url);
        client = createW3kitClient(full.url);
      });
      after(async () => {
        await full?.close();
        await db?.drop();
      });

      it('organization → access token from its API key secret → mint → QR step 1 → step 2 → result', async () => {
        const org = await verifiedOrganization(full.kit);
        const holder = await endUserWithLogin(full.kit);
        const scanner = await endUserWithLogin(full.kit);
        const minterToken = await accessTokenFromApiKey(client, org.apiKeySecret);
        assert.match(minterToken, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
        const flow = await mintAndVerify(client, {
          minterToken,
          holderAddress: holder.address,
          metadata: { static: DIPLOMA },
          holderToken: holder.token,
          scannerToken: scanner.token,
          holderGps: TOKYO,
          scannerGps: TOKYO,
          pollMs: 50,
        });
        assert.equal(flow.nft.holder_id_wallet_address, holder.address);
        assert.equal(flow.verified.token_id, flow.nft.token_id, 'the result names the verified token');
      });

      it('a refused call is a W3kitError with the status and the wire format’s code: a wrong API key secret', async () => {
        await assert.rejects(accessTokenFromApiKey(client, 'not-the-secret'), (error: unknown) => {
          assert.ok(error instanceof W3kitError);
          assert.equal(error.status, 401);
          assert.equal(error.code, 'INVALID_API_KEY_SECRET');
          return true;
        });
      });

      it('user login (id and password) → create-vc → verify-vc', async () => {
        const user = await endUserWithLogin(full.kit);
        const login = await ok(client.POST('/v2/auth/auth-user', { body: { id: user.loginId, password: user.password } }));
        assert.equal(login.userId, user.loginId);
        const holder = walletKey();
        const vc = await ok(client.POST('/v2/did/create-vc', { body: { holder: holder.did, userInfo: { name: 'Ada' } }, headers: { authorization: `Bearer ${login.token}` } }));
        const check = await ok(client.POST('/v2/did/verify-vc', { body: vc }));
        assert.equal(check.verified, true);
        assert.equal(check.subject, holder.did);
      });

      it('website login with the wallet: auth-user-by-app → the wallet’s VP (did-jwt-vc) → the site collects the token', async () => {
        const user = await endUserWithLogin(full.kit);
        const wallet = walletKey();
        const vc = await ok(client.POST('/v2/did/create-vc', { body: { holder: wallet.did, userInfo: { name: 'Ada' } }, headers: { authorization: user.bearer } }));
        const request = await ok(client.POST('/v2/auth/auth-user-by-app', { body: { requestId: 'https://shop.example/login?' } }));
        const verifiers = await ok(client.GET('/v2/did/verifiers'));
        const vp = await walletPresentation(wallet.issuer, [vc], { aud: verifiers[0]!.did, nonce: request.requestId });
        const answered = await ok(client.POST('/v2/auth/auth-user-with-vp', { body: { requestId: request.requestId, vp: vp as { proof: { type: string } } } }));
        assert.equal(answered.userId, user.loginId);
        const collected = await ok(client.POST('/v2/auth/auth-user-result-by-app', { body: { requestId: request.requestId, resultToken: request.resultToken } }));
        assert.equal(collected.userId, user.loginId);
        const me = await result(client.GET('/rest/v1/account/my_info', { headers: { authorization: `Bearer ${collected.token}` } }));
        assert.equal(me.sub, user.accountId, 'the collected token is the user’s');
      });
    });
  });
}
