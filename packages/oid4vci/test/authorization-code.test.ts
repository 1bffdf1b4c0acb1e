import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { clientAuthenticationNone, Oauth2Client, type AuthorizationServerMetadata } from '@openid4vc/oauth2';
import { AuthorizationFlow, type CredentialOfferObject, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { testDatabases } from '@w3kit/core/testing';
import { CONFIGURATIONS } from '@w3kit/oid4vci';
import { decodeJwt, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { actionOf, Browserless, csrfOf } from '../../oidc/test/support.js';
import { createOffer, credentialFor, endUser, issuerForSuite, newWallet, offerFor, postCredential, receiveCredential, walletProof, type Issuer, type Wallet } from './support.js';

const WALLET = { clientId: 'test-wallet', name: 'Test wallet', redirectUris: ['https://wallet.example/callback'] };
const REDIRECT = WALLET.redirectUris[0]!;
/** A wallet app with a redirect URI of its own scheme: a native client. */
const APP_WALLET = { clientId: 'app-wallet', redirectUris: ['eu.example.wallet://callback'] };
const PASSWORD = 'correct horse battery';

/** The OP's front channel as the wallet's browser: the authorization URL, password sign-in, consent; the redirect back to the wallet. */
async function signInAtOp(issuer: Issuer, authorizationRequestUrl: string, login: string): Promise<URL> {
  const browser = new Browserless();
  const origin = issuer.publicUrl;
  let step = await browser.follow(authorizationRequestUrl, origin);
  if (step.res.status === 200) {
    let html = await step.res.text();
    step = await browser.postForm(`${origin}${actionOf(html, 'password')}`, { csrf: csrfOf(html), login, password: PASSWORD }, origin);
    if (step.res.status === 200) {
      html = await step.res.text();
      assert.match(html, /Allow access/, 'the consent page');
      step = await browser.postForm(`${origin}${actionOf(html, 'consent')}`, { csrf: csrfOf(html) }, origin);
    }
  }
  assert.ok(step.url.startsWith(REDIRECT), `expected the redirect to the wallet, got ${step.res.status} ${step.url}: ${await step.res.text()}`);
  return new URL(step.url);
}

interface Authorized {
  offer: CredentialOfferObject;
  issuerMetadata: IssuerMetadataResult;
  callback: URL;
  codeVerifier: string;
}

/** From an offer with an authorization_code grant: the library's authorization request (PAR, PKCE), then the sign-in. */
async function authorizeFromOffer(issuer: Issuer, wallet: Wallet, credentialOffer: string, login: string): Promise<Authorized> {
  const offer = await wallet.client.resolveCredentialOffer(credentialOffer);
  const issuerMetadata = await wallet.client.resolveIssuerMetadata(offer.credential_issuer);
  const started = await wallet.client.initiateAuthorization({
    clientId: WALLET.clientId,
    issuerMetadata,
    credentialOffer: offer,
    redirectUri: REDIRECT,
    scope: offer.credential_configuration_ids.join(' '),
  });
  if (started.authorizationFlow !== AuthorizationFlow.Oauth2Redirect) assert.fail(`expected a redirect flow, got ${started.authorizationFlow}`);
  const callback = await signInAtOp(issuer, started.authorizationRequestUrl, login);
  return { offer, issuerMetadata, callback, codeVerifier: started.pkce!.codeVerifier };
}

/** A credential request made by hand with any bearer token (a fresh nonce and a valid proof): status and body. */
async function rawCredentialRequest(issuer: Issuer, wallet: Wallet, issuerMetadata: IssuerMetadataResult, accessToken: string, credentialConfigurationId: string) {
  return postCredential(issuer, accessToken, credentialConfigurationId, await walletProof(wallet, issuerMetadata, credentialConfigurationId));
}

/** POST to the OP's token endpoint, form-encoded, raw. */
async function opToken(issuer: Issuer, fields: Record<string, string>) {
  const res = await fetch(`${issuer.publicUrl}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A pushed authorization request of the wallet, raw (the wallet library's first request). */
async function pushedRequest(issuer: Issuer, fields: Record<string, string>) {
  const verifier = randomBytes(32).toString('base64url');
  const res = await fetch(`${issuer.publicUrl}/oidc/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: WALLET.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource: issuer.publicUrl,
      ...fields,
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A JWT access token signed with the OP's own signing key, with any claims (the audience and expiry tests). */
async function opSignedToken(issuer: Issuer, claims: Record<string, unknown>) {
  const [key] = (await issuer.kit.services.oidcSigningKeys.keySet()).keys;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: `${issuer.publicUrl}/oidc`, aud: issuer.publicUrl, iat: now, exp: now + 300, jti: randomBytes(8).toString('hex'), client_id: WALLET.clientId, ...claims })
    .setProtectedHeader({ alg: key!.alg, kid: key!.kid, typ: 'at+jwt' })
    .sign(await importJWK(key as JWK, key!.alg));
}

/** The wallet's OAuth client for a wallet-initiated flow (no offer): the same library, public client, PKCE. */
const walletOauth2Client = () =>
  new Oauth2Client({
    callbacks: {
      fetch,
      generateRandom: (bytes: number) => randomBytes(bytes),
      hash: (data: Uint8Array) => createHash('sha256').update(data).digest(),
      clientAuthentication: clientAuthenticationNone({ clientId: WALLET.clientId }),
      signJwt: () => assert.fail('the wallet signs no JWT here'),
    },
  });

const opMetadataOf = (issuerMetadata: IssuerMetadataResult, issuer: Issuer) =>
  issuerMetadata.authorizationServers.find((as) => as.issuer === `${issuer.publicUrl}/oidc`) as AuthorizationServerMetadata;

/**
 * A wallet-initiated authorization (no offer): the library's OAuth client asks the OP for `scope`
 * (with the credential issuer as `resource` unless `resource` is null), the account signs in; the access token.
 */
async function walletInitiatedToken(issuer: Issuer, wallet: Wallet, login: string, scope: string, resource: string | null = issuer.publicUrl) {
  const issuerMetadata = await wallet.client.resolveIssuerMetadata(issuer.publicUrl);
  const op = opMetadataOf(issuerMetadata, issuer);
  const oauth2 = walletOauth2Client();
  const withResource = resource === null ? {} : { resource };
  const started = await oauth2.initiateAuthorization({ clientId: WALLET.clientId, authorizationServerMetadata: op, redirectUri: REDIRECT, scope, ...withResource });
  const callback = await signInAtOp(issuer, started.authorizationRequestUrl, login);
  const { accessTokenResponse } = await oauth2.retrieveAuthorizationCodeAccessToken({
    authorizationServerMetadata: op,
    authorizationCode: callback.searchParams.get('code')!,
    pkceCodeVerifier: started.pkce!.codeVerifier,
    redirectUri: REDIRECT,
    ...withResource,
  });
  return { issuerMetadata, accessToken: accessTokenResponse.access_token };
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vci authorization code flow through the OP', function () {
      this.timeout(90_000);
      // 3 credential requests a minute per account: every other test asks for at most one per account
      const suite = issuerForSuite(kind, { oidc: {}, oid4vci: { walletClients: [WALLET, APP_WALLET] }, rateLimits: { 'oid4vci.credential-account': { limit: 3, windowSeconds: 60 } } });

      it('lists the OP as an authorization server, a scope per credential configuration, and the OP advertises code, PKCE S256 and PAR', async () => {
        const { issuer } = suite;
        const vci = (await (await fetch(`${issuer.publicUrl}/.well-known/openid-credential-issuer`)).json()) as Record<string, unknown>;
        assert.deepEqual(vci['authorization_servers'], [issuer.publicUrl, `${issuer.publicUrl}/oidc`]);
        const configurations = vci['credential_configurations_supported'] as Record<string, { scope?: string }>;
        for (const id of Object.values(CONFIGURATIONS)) assert.equal(configurations[id]!.scope, id);
        const op = (await (await fetch(`${issuer.publicUrl}/oidc/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
        assert.equal(op['authorization_endpoint'], `${issuer.publicUrl}/oidc/auth`);
        assert.equal(op['token_endpoint'], `${issuer.publicUrl}/oidc/token`);
        assert.deepEqual(op['code_challenge_methods_supported'], ['S256']);
        assert.equal(op['pushed_authorization_request_endpoint'], `${issuer.publicUrl}/oidc/request`);
      });

      it('a library wallet starts from an offer (issuer_state), signs in at the OP, and receives an SD-JWT VC that verifies', async () => {
        const { issuer } = suite;
        const { account, token } = await endUser(issuer);
        const wallet = await newWallet();
        const created = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, undefined, 'authorization_code');
        const { offer, issuerMetadata, callback, codeVerifier } = await authorizeFromOffer(issuer, wallet, created.credential_offer, account.loginId!);
        assert.equal(typeof offer.grants?.authorization_code?.issuer_state, 'string');
        assert.equal(offer.grants?.authorization_code?.authorization_server, `${issuer.publicUrl}/oidc`);
        const code = callback.searchParams.get('code');
        assert.ok(code, `a code: ${callback.href}`);
        const { accessTokenResponse } = await wallet.client.retrieveAuthorizationCodeAccessTokenFromOffer({
          issuerMetadata,
          credentialOffer: offer,
          authorizationCode: code,
          pkceCodeVerifier: codeVerifier,
          redirectUri: REDIRECT,
        });
        // the OP's JWT access token: for the credential issuer, the configuration's scope, the account, short-lived
        const claims = decodeJwt(accessTokenResponse.access_token);
        assert.equal(claims.iss, `${issuer.publicUrl}/oidc`);
        assert.equal(claims.aud, issuer.publicUrl);
        assert.equal(claims.sub, account.id);
        assert.equal(claims['scope'], CONFIGURATIONS.sdJwt);
        assert.equal(claims.exp! - claims.iat!, 300);
        const credential = (await credentialFor(wallet, issuerMetadata, accessTokenResponse.access_token, CONFIGURATIONS.sdJwt)) as string;
        // verified by @sd-jwt/sd-jwt-vc with the issuer's published key (and its status list, fetched)
        const jwks = (await (await fetch(`${issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as { jwks: { keys: JWK[] } };
        const verifier = new SDJwtVcInstance({ verifier: await ES256.getVerifier(jwks.jwks.keys[0] as never), hasher: digest, hashAlg: 'sha-256' });
        const verified = await verifier.verify(credential);
        assert.equal(verified.payload['iss'], issuer.publicUrl);
        assert.equal(verified.payload['sub'], account.id);
        assert.deepEqual((verified.payload['cnf'] as { jwk: Record<string, unknown> }).jwk, wallet.publicJwk);
        assert.equal(verified.payload['name'], 'Hong Gildong');
      });

      it('a wallet without an offer (wallet-initiated) asks the OP for a scope and receives that jwt_vc_json credential', async () => {
        const { issuer } = suite;
        const { account } = await endUser(issuer, 'Kim Wallet');
        const wallet = await newWallet();
        const { issuerMetadata, accessToken } = await walletInitiatedToken(issuer, wallet, account.loginId!, CONFIGURATIONS.jwtVcJson);
        const credential = (await credentialFor(wallet, issuerMetadata, accessToken, CONFIGURATIONS.jwtVcJson)) as string;
        const verified = await issuer.kit.services.credentialService.verify(credential);
        assert.equal(verified.verified, true, JSON.stringify(verified));
        assert.equal((decodeJwt(credential)['vc'] as { credentialSubject: { name: string } }).credentialSubject.name, 'Kim Wallet');
      });

      it('the pre-authorized code flow still works beside it: its grant names the credential issuer as its server', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt);
        const credential = await receiveCredential(await newWallet(), offer.credential_offer);
        assert.equal(typeof credential, 'string');
      });

      it('a wallet app with its own URI scheme is a client too; an unregistered client or redirect URI, or a relying party asking for the issuer, is refused', async () => {
        const { issuer } = suite;
        const accepted = await pushedRequest(issuer, { client_id: APP_WALLET.clientId, redirect_uri: APP_WALLET.redirectUris[0]!, scope: CONFIGURATIONS.sdJwt });
        assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
        assert.match(String(accepted.body['request_uri']), /^urn:ietf:params:oauth:request_uri:/);
        const unknownClient = await pushedRequest(issuer, { client_id: 'not-a-wallet', scope: CONFIGURATIONS.sdJwt });
        assert.equal(unknownClient.status, 401);
        assert.equal(unknownClient.body['error'], 'invalid_client');
        // a relying party of the operator's registry is a client of the OP, but not of the credential issuer
        const rp = await issuer.kit.services.oidcClientService.create({ name: 'Shop', redirectUris: ['https://shop.example/cb'], public: true });
        const notAWallet = await pushedRequest(issuer, { client_id: rp.client_id, redirect_uri: 'https://shop.example/cb', scope: CONFIGURATIONS.sdJwt });
        assert.equal(notAWallet.status, 400);
        assert.deepEqual(notAWallet.body, { error: 'invalid_target', error_description: 'this client may not ask for this resource' });
        const wrongRedirect = await pushedRequest(issuer, { redirect_uri: 'https://attacker.example/cb', scope: CONFIGURATIONS.sdJwt });
        assert.equal(wrongRedirect.status, 400);
        // RFC 9126 §2.3: a PAR answers a redirect URI mismatch as invalid_request
        assert.equal(wrongRedirect.body['error'], 'invalid_request');
        assert.match(String(wrongRedirect.body['error_description']), /redirect_uri/);
      });

      it('a wrong PKCE verifier and a reused code are 400 invalid_grant at the OP token endpoint', async () => {
        const { issuer } = suite;
        const { account, token } = await endUser(issuer);
        const wallet = await newWallet();
        const created = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, undefined, 'authorization_code');
        const { callback, codeVerifier } = await authorizeFromOffer(issuer, wallet, created.credential_offer, account.loginId!);
        const code = callback.searchParams.get('code')!;
        const fields = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: WALLET.clientId, resource: issuer.publicUrl };
        const wrong = await opToken(issuer, { ...fields, code_verifier: randomBytes(32).toString('base64url') });
        assert.equal(wrong.status, 400);
        assert.equal(wrong.body['error'], 'invalid_grant');
        assert.match(String(wrong.body['error_description']), /grant request is invalid/);
        // a fresh authorization, its code used once, then again
        const second = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, undefined, 'authorization_code');
        const again = await authorizeFromOffer(issuer, wallet, second.credential_offer, account.loginId!);
        const once = { ...fields, code: again.callback.searchParams.get('code')!, code_verifier: again.codeVerifier };
        assert.equal((await opToken(issuer, once)).status, 200);
        const reused = await opToken(issuer, once);
        assert.equal(reused.status, 400);
        assert.equal(reused.body['error'], 'invalid_grant');
        assert.ok(codeVerifier.length > 0);
      });

      it('a reused issuer_state is 400 invalid_request at the pushed authorization request', async () => {
        const { issuer } = suite;
        const { account, token } = await endUser(issuer);
        const wallet = await newWallet();
        const created = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, undefined, 'authorization_code');
        const { offer } = await authorizeFromOffer(issuer, wallet, created.credential_offer, account.loginId!);
        const replay = await pushedRequest(issuer, { scope: CONFIGURATIONS.sdJwt, issuer_state: offer.grants!.authorization_code!.issuer_state! });
        assert.equal(replay.status, 400);
        assert.deepEqual(replay.body, { error: 'invalid_request', error_description: 'The issuer_state is unknown, expired or already used.' });
        const unknown = await pushedRequest(issuer, { scope: CONFIGURATIONS.sdJwt, issuer_state: 'not-an-issuer-state' });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body['error_description'], 'The issuer_state is unknown, expired or already used.');
      });

      it('an issuer_state with a scope that does not name its configuration is 400 invalid_request', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const created = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, undefined, 'authorization_code');
        const document = (await (await fetch(created.credential_offer_uri)).json()) as CredentialOfferObject;
        const res = await pushedRequest(issuer, { scope: CONFIGURATIONS.ldpVc, issuer_state: document.grants!.authorization_code!.issuer_state! });
        assert.equal(res.status, 400);
        assert.deepEqual(res.body, { error: 'invalid_request', error_description: `The scope must name the offer's credential configuration (${CONFIGURATIONS.sdJwt}).` });
      });

      it("another account signing in with an offer's issuer_state gets access_denied, and the offer stays usable for its own account", async () => {
        const { issuer } = suite;
        const owner = await endUser(issuer);
        const other = await endUser(issuer, 'Someone Else');
        const wallet = await newWallet();
        const created = await offerFor(issuer, owner.token, CONFIGURATIONS.sdJwt, undefined, 'authorization_code');
        const { offer, issuerMetadata, callback } = await authorizeFromOffer(issuer, wallet, created.credential_offer, other.account.loginId!);
        assert.equal(callback.searchParams.get('error'), 'access_denied');
        assert.equal(callback.searchParams.get('error_description'), 'The credential offer is used, expired, or for another account.');
        assert.equal(callback.searchParams.get('code'), null);
        // the owner's wallet, with the same offer, still gets its code
        const started = await wallet.client.initiateAuthorization({ clientId: WALLET.clientId, issuerMetadata, credentialOffer: offer, redirectUri: REDIRECT, scope: CONFIGURATIONS.sdJwt });
        if (started.authorizationFlow !== AuthorizationFlow.Oauth2Redirect) assert.fail(`expected a redirect flow, got ${started.authorizationFlow}`);
        const ownerCallback = await signInAtOp(issuer, started.authorizationRequestUrl, owner.account.loginId!);
        assert.ok(ownerCallback.searchParams.get('code'), ownerCallback.href);
      });

      it('an OP access token without the credential configuration in its scope is 400 unknown_credential_configuration', async () => {
        const { issuer } = suite;
        const { account } = await endUser(issuer);
        const wallet = await newWallet();
        const { issuerMetadata, accessToken } = await walletInitiatedToken(issuer, wallet, account.loginId!, CONFIGURATIONS.ldpVc);
        const res = await rawCredentialRequest(issuer, wallet, issuerMetadata, accessToken, CONFIGURATIONS.sdJwt);
        assert.equal(res.status, 400);
        assert.deepEqual(res.body, { error: 'unknown_credential_configuration', error_description: 'The access token is for another credential configuration.' });
      });

      it('OP tokens for another audience, expired, or signed by another key are 401 invalid_token', async () => {
        const { issuer } = suite;
        const { account } = await endUser(issuer);
        const wallet = await newWallet();
        const issuerMetadata = await wallet.client.resolveIssuerMetadata(issuer.publicUrl);
        const expectRefused = async (accessToken: string, why: string) => {
          const res = await rawCredentialRequest(issuer, wallet, issuerMetadata, accessToken, CONFIGURATIONS.sdJwt);
          assert.equal(res.status, 401, why);
          assert.deepEqual(res.body, { error: 'invalid_token', error_description: 'The access token is missing, invalid or expired.' }, why);
        };
        const base = { sub: account.id, scope: CONFIGURATIONS.sdJwt };
        // the control: the same claims, signed by the OP's key, are accepted
        const good = await rawCredentialRequest(issuer, wallet, issuerMetadata, await opSignedToken(issuer, base), CONFIGURATIONS.sdJwt);
        assert.equal(good.status, 200, JSON.stringify(good.body));
        await expectRefused(await opSignedToken(issuer, { ...base, aud: 'https://another-resource.example' }), 'another audience');
        const past = Math.floor(Date.now() / 1000) - 600;
        await expectRefused(await opSignedToken(issuer, { ...base, iat: past, exp: past + 300 }), 'expired');
        const { privateKey: stranger } = await generateKeyPair('RS256');
        const forged = await new SignJWT({ ...base, iss: `${issuer.publicUrl}/oidc`, aud: issuer.publicUrl, client_id: WALLET.clientId, exp: Math.floor(Date.now() / 1000) + 300 })
          .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: (await issuer.kit.services.oidcSigningKeys.keySet()).keys[0]!.kid })
          .sign(stranger);
        await expectRefused(forged, 'another key');
      });

      it('credential requests are limited per account of the token, whichever IP or token: the 4th of a minute is 429', async () => {
        const { issuer } = suite;
        const { account } = await endUser(issuer);
        const other = await endUser(issuer);
        const wallet = await newWallet();
        const issuerMetadata = await wallet.client.resolveIssuerMetadata(issuer.publicUrl);
        const statuses: number[] = [];
        let last: Record<string, unknown> = {};
        for (let i = 0; i < 4; i++) {
          // a fresh token each time: the limit follows the account, not the token
          const res = await rawCredentialRequest(issuer, wallet, issuerMetadata, await opSignedToken(issuer, { sub: account.id, scope: CONFIGURATIONS.sdJwt }), CONFIGURATIONS.sdJwt);
          statuses.push(res.status);
          last = res.body;
        }
        assert.deepEqual(statuses, [200, 200, 200, 429]);
        assert.equal(last['error'], 'rate_limited');
        // another account is not held back by it
        const res = await rawCredentialRequest(issuer, wallet, issuerMetadata, await opSignedToken(issuer, { sub: other.account.id, scope: CONFIGURATIONS.sdJwt }), CONFIGURATIONS.sdJwt);
        assert.equal(res.status, 200, JSON.stringify(res.body));
      });

      it('an opaque OP access token (UserInfo, no resource) is 401 invalid_token at the credential endpoint', async () => {
        const { issuer } = suite;
        const { account } = await endUser(issuer);
        const wallet = await newWallet();
        const { issuerMetadata, accessToken } = await walletInitiatedToken(issuer, wallet, account.loginId!, 'openid', null);
        const res = await rawCredentialRequest(issuer, wallet, issuerMetadata, accessToken, CONFIGURATIONS.sdJwt);
        assert.equal(res.status, 401);
        assert.equal(res.body['error'], 'invalid_token');
      });

      it('an authorization code offer with a tx_code is 400 GRANT_UNAVAILABLE', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const res = await createOffer(issuer, token, { credential_configuration_id: CONFIGURATIONS.sdJwt, grant: 'authorization_code', tx_code: 'sms' });
        assert.equal(res.status, 400);
        assert.equal(res.body['code'], 'GRANT_UNAVAILABLE');
      });
    });

    if (kind !== 'sqlite') {
      describe('oid4vci authorization code flow on two instances: PAR and token on B, sign-in and credential on A', function () {
        this.timeout(90_000);
        const onB = (path: string) => path.startsWith('/oidc/request') || path.startsWith('/oidc/token');
        const suite = issuerForSuite(kind, { instances: 2, oidc: {}, oid4vci: { walletClients: [WALLET] }, route: (path) => (onB(path) ? 1 : 0) });

        it('the wallet receives an SD-JWT VC from an offer, and the issuer_state consumed on A is refused by B', async () => {
          const { issuer } = suite;
          const { account, token } = await endUser(issuer);
          const wallet = await newWallet();
          const created = await offerFor(issuer, token, CONFIGURATIONS.sdJwt, undefined, 'authorization_code');
          const { offer, issuerMetadata, callback, codeVerifier } = await authorizeFromOffer(issuer, wallet, created.credential_offer, account.loginId!);
          const { accessTokenResponse } = await wallet.client.retrieveAuthorizationCodeAccessTokenFromOffer({
            issuerMetadata,
            credentialOffer: offer,
            authorizationCode: callback.searchParams.get('code')!,
            pkceCodeVerifier: codeVerifier,
            redirectUri: REDIRECT,
          });
          const credential = (await credentialFor(wallet, issuerMetadata, accessTokenResponse.access_token, CONFIGURATIONS.sdJwt)) as string;
          assert.equal(decodeJwt(credential.split('~')[0]!).sub, account.id);
          assert.ok(issuer.served[1]!.includes('/oidc/request') && issuer.served[1]!.includes('/oidc/token'));
          assert.ok(issuer.served[0]!.some((p) => p.startsWith('/oidc/interaction/')) && issuer.served[0]!.includes('/oid4vci/credential'));
          const replay = await pushedRequest(issuer, { scope: CONFIGURATIONS.sdJwt, issuer_state: offer.grants!.authorization_code!.issuer_state! });
          assert.equal(replay.status, 400);
          assert.equal(replay.body['error_description'], 'The issuer_state is unknown, expired or already used.');
        });
      });
    }

    describe('oid4vci authorization code flow without the OP', function () {
      this.timeout(60_000);
      const suite = issuerForSuite(kind);

      it('an authorization code offer is 400 GRANT_UNAVAILABLE and the metadata lists no authorization servers', async () => {
        const { issuer } = suite;
        const { token } = await endUser(issuer);
        const res = await createOffer(issuer, token, { credential_configuration_id: CONFIGURATIONS.sdJwt, grant: 'authorization_code' });
        assert.equal(res.status, 400);
        assert.equal(res.body['code'], 'GRANT_UNAVAILABLE');
        const vci = (await (await fetch(`${issuer.publicUrl}/.well-known/openid-credential-issuer`)).json()) as Record<string, unknown>;
        assert.equal(vci['authorization_servers'], undefined);
      });
    });
  });
}
