import assert from 'node:assert/strict';
import { createDatabase, migrateToLatest, sql } from '@w3kit/core';
import { createTestDatabase, testDatabases } from '@w3kit/core/testing';
import { createKyselyPayloadStore, oidc } from '@w3kit/oidc';
import * as client from 'openid-client';
import { authorizeWithPassword, Browserless, createEndUser, useOpWithClient } from './support.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oidc sign-ins end with a password change', function () {
      this.timeout(60_000);
      const fx = useOpWithClient(kind, { name: 'Example RP', redirectUris: [REDIRECT_URI] });

      async function signIn(user: Awaited<ReturnType<typeof createEndUser>>, browser = new Browserless()) {
        const { callback, codeVerifier, state } = await authorizeWithPassword(fx.config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: fx.op.publicUrl, browser });
        return client.authorizationCodeGrant(fx.config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
      }

      it("changing the password revokes the account's OP access and refresh tokens and its OP session; another account's stay", async () => {
        const user = await createEndUser(fx.op.kit);
        const other = await createEndUser(fx.op.kit);
        const browser = new Browserless();
        const tokens = await signIn(user, browser);
        const otherTokens = await signIn(other);
        assert.equal((await client.tokenIntrospection(fx.config, tokens.access_token)).active, true);

        const { sessionsRevoked } = await fx.op.kit.services.accountService.changePassword(user.account.id, 'a new long password');
        assert.equal(sessionsRevoked, 0, "the password sign-in on the OP's page made no session of auth's own");

        assert.equal((await client.tokenIntrospection(fx.config, tokens.access_token)).active, false, 'the access token is no longer active');
        await assert.rejects(client.fetchUserInfo(fx.config, tokens.access_token, user.account.id), (e: client.WWWAuthenticateChallengeError) => {
          assert.equal(e.status, 401);
          assert.equal(e.cause[0]?.parameters.error, 'invalid_token');
          return true;
        });
        await assert.rejects(client.refreshTokenGrant(fx.config, tokens.refresh_token!), (e: client.ResponseBodyError) => {
          assert.equal(e.status, 400);
          assert.equal(e.error, 'invalid_grant');
          return true;
        });

        // The same browser is asked to sign in again: its OP session is gone.
        const again = client.buildAuthorizationUrl(fx.config, {
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        const login = await browser.follow(again.href, fx.op.publicUrl);
        assert.equal(login.res.status, 200);
        assert.match(await login.res.text(), /<h1>Sign in<\/h1>/);

        assert.equal((await client.tokenIntrospection(fx.config, otherTokens.access_token)).active, true, "another account's token is untouched");
        const refreshed = await client.refreshTokenGrant(fx.config, otherTokens.refresh_token!);
        assert.equal(refreshed.claims()?.sub, other.account.id);
      });

      it('the old password no longer signs in on the OP page; the new one does', async () => {
        const user = await createEndUser(fx.op.kit);
        await fx.op.kit.services.accountService.changePassword(user.account.id, 'a new long password');
        await assert.rejects(authorizeWithPassword(fx.config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: fx.op.publicUrl }), /expected the redirect to the relying party, got 401/);
        const { callback, codeVerifier, state } = await authorizeWithPassword(fx.config, { redirectUri: REDIRECT_URI, login: user.email, password: 'a new long password', opOrigin: fx.op.publicUrl });
        const tokens = await client.authorizationCodeGrant(fx.config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        assert.equal(tokens.claims()?.sub, user.account.id);
      });
    });

    describe('oidc migration 0002 names the account of rows saved before it', () => {
      it('a session and a token saved under 0001 are found by revokeByAccountId after 0002; a client is not', async () => {
        const db = await createTestDatabase(kind);
        const database = createDatabase(db.url);
        try {
          const migrations = oidc().migrations;
          await migrateToLatest(database, { name: 'oidc', migrations: { '0001_oidc_provider_state': migrations['0001_oidc_provider_state']! } });
          const row = (model: string, id: string, payload: object) =>
            sql`insert into oidc_payloads (model, id, payload, expires_at) values (${model}, ${id}, ${JSON.stringify(payload)}, ${Date.now() + 60_000})`.execute(database.db);
          await row('Session', 's1', { uid: 'u1', accountId: 'acct-1' });
          await row('AccessToken', 't1', { grantId: 'g1', accountId: 'acct-1' });
          await row('Client', 'c1', { client_id: 'c1' });
          await migrateToLatest(database, { name: 'oidc', migrations });
          const store = createKyselyPayloadStore(database);
          assert.equal(await store.revokeByAccountId('acct-1'), 2);
          assert.equal(await store.find('Session', 's1', new Date()), null);
          assert.notEqual(await store.find('Client', 'c1', new Date()), null);
        } finally {
          await database.destroy();
          await db.drop();
        }
      });
    });
  });
}
