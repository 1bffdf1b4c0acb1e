import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { authorizeWithPassword, Browserless, createEndUser, discover, startOpServer, type OpServer } from './support.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oidc code flow (openid-client relying party)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let op: OpServer;
      let clientId: string;
      let clientSecret: string;
      let config: client.Configuration;

      before(async () => {
        db = await createTestDatabase(kind);
        op = await startOpServer(db.url, { authorizationCodeTtlSeconds: 2 });
        const created = await op.kit.services.oidcClientService.create({ name: 'Example RP', redirectUris: [REDIRECT_URI], postLogoutRedirectUris: ['http://127.0.0.1:9/bye'] });
        clientId = created.client_id;
        clientSecret = created.client_secret!;
        config = await discover(op.issuer, clientId, clientSecret);
      });
      after(async () => {
        await op?.close();
        await db?.drop();
      });

      it('discovery names the issuer, code flow with S256 only, revocation, introspection and end_session; no registration endpoint', () => {
        const meta = config.serverMetadata();
        assert.equal(meta.issuer, op.issuer);
        assert.deepEqual(meta.response_types_supported, ['code']);
        assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
        assert.equal(meta.token_endpoint, `${op.issuer}/token`);
        assert.equal(meta.revocation_endpoint, `${op.issuer}/token/revocation`);
        assert.equal(meta.introspection_endpoint, `${op.issuer}/token/introspection`);
        assert.equal(meta.end_session_endpoint, `${op.issuer}/session/end`);
        assert.equal(meta.registration_endpoint, undefined);
      });

      it('password sign-in → consent → code → tokens; the ID token verifies against the discovered JWKS with my_info claims', async () => {
        const user = await createEndUser(op.kit);
        const { callback, codeVerifier, state } = await authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: op.publicUrl });
        const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        const claims = tokens.claims()!;
        assert.equal(claims.sub, user.account.id);
        // With an access token issued, scope claims are served by UserInfo, not put in the ID token (conformIdTokenClaims).
        assert.equal(claims['email'], undefined);

        const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
        const verified = await jwtVerify(tokens.id_token!, jwks, { issuer: op.issuer, audience: clientId, algorithms: ['RS256'] });
        assert.equal(verified.payload.sub, user.account.id);
        assert.ok(verified.protectedHeader.kid);

        const info = await client.fetchUserInfo(config, tokens.access_token, user.account.id);
        assert.equal(info.email, user.email);
        assert.equal(info.email_verified, false, 'as my_info says: the email was never proved');
        assert.equal(info.name, 'Ada Lovelace');
        assert.equal(info.preferred_username, user.loginId);
        assert.equal(typeof info['updated_at'], 'number');

        assert.ok(tokens.refresh_token, 'a refresh token');
        const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
        assert.ok(refreshed.access_token);
        assert.equal(refreshed.claims()?.sub, user.account.id);

        const active = await client.tokenIntrospection(config, refreshed.access_token);
        assert.equal(active.active, true);
        assert.equal(active.sub, user.account.id);
        await client.tokenRevocation(config, refreshed.access_token);
        assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
      });

      it('the payloads live in the database: the code row is consumed, and housekeeping purges what expired', async () => {
        const user = await createEndUser(op.kit);
        const { callback, codeVerifier, state } = await authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.loginId, opOrigin: op.publicUrl });
        const code = callback.searchParams.get('code')!;
        const before = await op.kit.services.oidcPayloadStore.find('AuthorizationCode', code, new Date());
        assert.ok(before && before.consumedAt === null);
        await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        assert.ok((await op.kit.services.oidcPayloadStore.find('AuthorizationCode', code, new Date()))?.consumedAt);
        await new Promise((resolve) => setTimeout(resolve, 2100));
        await op.kit.runHousekeeping();
        assert.equal(await op.kit.services.oidcPayloadStore.find('AuthorizationCode', code, new Date(0)), null, 'the expired code row is gone');
      });

      it('RP-initiated logout: the logout page, then the post_logout_redirect_uri; the next authorization asks to sign in again', async () => {
        const user = await createEndUser(op.kit);
        const browser = new Browserless();
        const { callback, codeVerifier, state } = await authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: op.publicUrl, browser });
        const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/bye', state: 's1' });
        const page = await browser.follow(logoutUrl.href, op.publicUrl);
        assert.equal(page.res.status, 200);
        const html = await page.res.text();
        assert.match(html, /Sign out of Web3Connect and Example RP\?/);
        assert.match(page.res.headers.get('content-security-policy')!, /form-action 'self' http:\/\/127\.0\.0\.1:9/);
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
        const done = await browser.postForm(`${op.issuer}/session/end/confirm`, { xsrf, logout: 'yes' }, op.publicUrl);
        assert.equal(done.url, 'http://127.0.0.1:9/bye?state=s1');
        // signed out: the same browser is asked to sign in again
        const again = client.buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        const login = await browser.follow(again.href, op.publicUrl);
        assert.equal(login.res.status, 200);
        assert.match(await login.res.text(), /<h1>Sign in<\/h1>/);
        // an unregistered post_logout_redirect_uri is refused, not followed
        const evil = await fetch(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' }), { redirect: 'manual' });
        assert.equal(evil.status, 400);
        assert.match(await evil.text(), /post_logout_redirect_uri not registered/);
      });

      it('a rotated refresh token used twice: 400 invalid_grant, and the grant is revoked', async () => {
        const user = await createEndUser(op.kit);
        const { callback, codeVerifier, state } = await authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: op.publicUrl });
        const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
        const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!);
        assert.notEqual(rotated.refresh_token, tokens.refresh_token, 'rotated on use');
        await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (e: client.ResponseBodyError) => e.status === 400 && e.error === 'invalid_grant');
        await assert.rejects(client.refreshTokenGrant(config, rotated.refresh_token!), (e: client.ResponseBodyError) => e.error === 'invalid_grant');
      });

      describe('bad input (status and error body)', () => {
        async function freshCode(scope?: string) {
          const user = await createEndUser(op.kit);
          return authorizeWithPassword(config, { redirectUri: REDIRECT_URI, login: user.email, opOrigin: op.publicUrl, ...(scope ? { scope } : {}) });
        }
        const token = (fields: Record<string, string>, secret = clientSecret, id = clientId) =>
          fetch(`${op.issuer}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
            body: new URLSearchParams(fields).toString(),
          });

        it('a wrong redirect_uri at the authorization endpoint: 400 page, no redirect to it', async () => {
          const url = client.buildAuthorizationUrl(config, {
            redirect_uri: 'https://evil.example/cb',
            scope: 'openid',
            code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
            code_challenge_method: 'S256',
          });
          const res = await fetch(url, { redirect: 'manual' });
          assert.equal(res.status, 400);
          assert.equal(res.headers.get('location'), null);
          assert.match(await res.text(), /invalid_redirect_uri/);
        });

        it('a wrong redirect_uri at the token endpoint: 400 invalid_grant', async () => {
          const { callback, codeVerifier } = await freshCode();
          const res = await token({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: 'http://127.0.0.1:9/other', code_verifier: codeVerifier });
          assert.equal(res.status, 400);
          assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
        });

        it('no PKCE at the authorization endpoint: the redirect carries invalid_request', async () => {
          const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid' });
          const res = await fetch(url, { redirect: 'manual' });
          assert.equal(res.status, 303);
          const location = new URL(res.headers.get('location')!);
          assert.equal(location.searchParams.get('error'), 'invalid_request');
          assert.match(location.searchParams.get('error_description') ?? '', /PKCE/);
        });

        it('a PKCE mismatch: 400 invalid_grant', async () => {
          const { callback } = await freshCode();
          const res = await token({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: client.randomPKCECodeVerifier() });
          assert.equal(res.status, 400);
          assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'grant request is invalid' });
        });

        it('a reused code: 400 invalid_grant, and the tokens of its first use are revoked', async () => {
          const { callback, codeVerifier } = await freshCode();
          const fields = { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier };
          const first = await token(fields);
          assert.equal(first.status, 200);
          const { access_token } = (await first.json()) as { access_token: string };
          const second = await token(fields);
          assert.equal(second.status, 400);
          assert.equal(((await second.json()) as { error: string }).error, 'invalid_grant');
          assert.equal((await client.tokenIntrospection(config, access_token)).active, false);
        });

        it('two concurrent uses of one code: exactly one gets tokens', async () => {
          const { callback, codeVerifier } = await freshCode();
          const fields = { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier };
          const answers = await Promise.all(Array.from({ length: 5 }, () => token(fields)));
          assert.equal(answers.filter((r) => r.status === 200).length, 1);
          for (const r of answers.filter((r) => r.status !== 200)) {
            assert.equal(r.status, 400);
            assert.equal(((await r.json()) as { error: string }).error, 'invalid_grant');
          }
        });

        it('an expired code: 400 invalid_grant', async () => {
          const { callback, codeVerifier } = await freshCode();
          await new Promise((resolve) => setTimeout(resolve, 2100));
          const res = await token({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier });
          assert.equal(res.status, 400);
          assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
        });

        it('an unknown client: 400 page at the authorization endpoint, 401 invalid_client at the token endpoint', async () => {
          const url = new URL(`${op.issuer}/auth`);
          url.search = new URLSearchParams({
            client_id: 'no-such-client',
            response_type: 'code',
            scope: 'openid',
            redirect_uri: REDIRECT_URI,
            code_challenge: 'x'.repeat(43),
            code_challenge_method: 'S256',
          }).toString();
          const res = await fetch(url, { redirect: 'manual' });
          assert.equal(res.status, 400);
          assert.match(await res.text(), /invalid_client/);
          const tokenRes = await token({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: 'y'.repeat(43) }, 'secret', 'no-such-client');
          assert.equal(tokenRes.status, 401);
          assert.equal(((await tokenRes.json()) as { error: string }).error, 'invalid_client');
        });

        it('a wrong client secret: 401 invalid_client (secrets are stored hashed)', async () => {
          const stored = await op.kit.services.oidcPayloadStore.find('Client', clientId, new Date());
          assert.match(String(stored?.payload['client_secret']), /^w3kit-sha256:[0-9a-f]{64}$/);
          assert.ok(!JSON.stringify(stored).includes(clientSecret), 'the secret itself is not stored');
          const res = await token({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: 'y'.repeat(43) }, `${clientSecret}x`);
          assert.equal(res.status, 401);
          assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
        });
      });
    });
  });
}
