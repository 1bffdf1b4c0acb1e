import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { authorizeWithPassword, createEndUser, discover, startOpServer, type OpServer } from './support.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oidc two instances on one database', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let a: OpServer;
      let b: OpServer;

      before(async () => {
        db = await createTestDatabase(kind);
        a = await startOpServer(db.url);
        // Behind a load balancer every instance has the same public URL: B's issuer is A's.
        b = await startOpServer(db.url, {}, { config: { publicUrl: a.publicUrl } });
      });
      after(async () => {
        await b?.close();
        await a?.close();
        await db?.drop();
      });

      it('authorize on A, token on B, userinfo and refresh on B, introspection on A', async () => {
        const created = await a.kit.services.oidcClientService.create({ name: 'Two-instance RP', redirectUris: [REDIRECT_URI] });
        const config = await discover(a.issuer, created.client_id, created.client_secret);
        const user = await createEndUser(a.kit);
        const { callback, codeVerifier, state } = await authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: a.publicUrl });
        // the same relying party, talking to instance B's port for the back channel
        const { issuer, authorization_endpoint, jwks_uri } = config.serverMetadata();
        const onB = new client.Configuration(
          { issuer, authorization_endpoint, jwks_uri, token_endpoint: `${b.publicUrl}/oidc/token`, userinfo_endpoint: `${b.publicUrl}/oidc/me` },
          created.client_id,
          created.client_secret,
        );
        client.allowInsecureRequests(onB);
        const tokens = await client.authorizationCodeGrant(onB, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        assert.equal(tokens.claims()?.sub, user.account.id);
        const jwksOfB = createRemoteJWKSet(new URL(`${b.publicUrl}/oidc/jwks`));
        await jwtVerify(tokens.id_token!, jwksOfB, { issuer: a.issuer, audience: created.client_id });
        assert.equal((await client.fetchUserInfo(onB, tokens.access_token, user.account.id)).email, user.email);
        const refreshed = await client.refreshTokenGrant(onB, tokens.refresh_token!);
        assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, true, 'A knows the token B issued');
      });

      it('the whole front channel on B (the authorization URL of A’s issuer), the code exchanged on A', async () => {
        const created = await a.kit.services.oidcClientService.create({ name: 'Switching RP', redirectUris: [REDIRECT_URI] });
        const config = await discover(a.issuer, created.client_id, created.client_secret);
        const user = await createEndUser(a.kit);
        const { callback, codeVerifier, state } = await authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.loginId, opOrigin: b.publicUrl });
        const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        assert.equal(tokens.claims()?.sub, user.account.id);
      });

      it('a key rotated on A signs on B within 5 s; ID tokens of the earlier key still verify until it is retired', async () => {
        const created = await a.kit.services.oidcClientService.create({ name: 'Keys RP', redirectUris: [REDIRECT_URI] });
        const config = await discover(a.issuer, created.client_id, created.client_secret);
        const signIn = async () => {
          const user = await createEndUser(a.kit);
          const { callback, codeVerifier, state } = await authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: b.publicUrl });
          return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        };
        const first = await signIn();
        const oldKid = decodeProtectedHeader(first.id_token!).kid!;
        const { kid: newKid } = await a.kit.services.oidcSigningKeys.rotate();
        await new Promise((resolve) => setTimeout(resolve, 5200));
        const second = await signIn();
        assert.equal(decodeProtectedHeader(second.id_token!).kid, newKid, 'B signs with the key A created');
        const jwksOnB = async () => ((await (await fetch(`${b.publicUrl}/oidc/jwks`)).json()) as { keys: { kid: string; d?: string }[] }).keys;
        assert.deepEqual((await jwksOnB()).map((k) => k.kid).slice(0, 2), [newKid, oldKid]);
        assert.ok(
          (await jwksOnB()).every((k) => k.d === undefined),
          'no private part is published',
        );
        await jwtVerify(first.id_token!, createRemoteJWKSet(new URL(`${b.publicUrl}/oidc/jwks`)), { issuer: a.issuer, audience: created.client_id });

        await assert.rejects(a.kit.services.oidcSigningKeys.retire(newKid), /signs now/);
        await a.kit.services.oidcSigningKeys.retire(oldKid);
        await new Promise((resolve) => setTimeout(resolve, 5200));
        assert.ok(!(await jwksOnB()).some((k) => k.kid === oldKid), 'a retired key leaves the JWKS of every instance');
        await assert.rejects(jwtVerify(first.id_token!, createRemoteJWKSet(new URL(`${b.publicUrl}/oidc/jwks`)), { issuer: a.issuer }), /no applicable key|matching key/i);
      });
    });
  });
}
