import { clientIpOf, defineRoute, LoginResultSchema, Type, type AnyRouteSpec, type RouteGroup } from '@w3kit/core';
import { siteOfRequestId } from './app-login-service.js';
import { MAX_PROOFS } from './data-integrity.js';
import { CREDENTIAL_FORMATS, type ResolvedDidOptions } from './did-config.js';
import { LOGIN_DEMO_SCRIPT, renderLoginDemoPage } from './login-demo-page.js';
import { checkVerificationBounds } from './verification-guard.js';
import type { CredentialVerification, PresentationVerification } from './verification.js';

const Did = Type.String({ minLength: 8, maxLength: 512, pattern: '^did:[a-z0-9]+:\\S+$', description: 'a DID (did:ethr or did:key)' });
const Address = Type.String({ pattern: '^0x[0-9a-fA-F]{40}$', description: 'a 0x address' });
const Proof = Type.Union([Type.Object({ type: Type.String({ maxLength: 128 }) }), Type.Array(Type.Object({ type: Type.String({ maxLength: 128 }) }), { minItems: 1, maxItems: MAX_PROOFS })]);
/** A credential or presentation in JSON form: anything, as long as it carries a proof. */
const Verifiable = (description: string) => Type.Object({ proof: Proof }, { description });
const Format = Type.Union(
  CREDENTIAL_FORMATS.map((f) => Type.Literal(f)),
  { description: 'jwt (JwtProof2020, ES256K, did:ethr; default) or a Data Integrity suite (did:key)' },
);
const UserInfoValue = Type.Union([Type.String({ maxLength: 2048 }), Type.Number(), Type.Boolean(), Type.Null()]);
const Identifier = Type.Object({ did: Type.String(), alias: Type.String(), provider: Type.String() }, { additionalProperties: true });
const LoginRequestBody = Type.Object({
  requestId: Type.String({ minLength: 1, maxLength: 1100 }),
  waitTime: Type.Optional(Type.Number({ description: 'ignored' })),
  resultToken: Type.Optional(Type.String({ maxLength: 128, description: 'the resultToken auth-user-by-app returned' })),
});

/**
 * The seed's `verify-vc` answer: `verified`, what was verified, and the reason when false. A JWT
 * credential's JSON form, decoded from the signed JWT, is included (the caller may have posted
 * only the proof); a Data Integrity credential is what was posted and is not echoed.
 */
export function credentialResult(v: CredentialVerification) {
  const first = v.problems[0];
  return {
    verified: v.verified,
    format: v.format,
    id: v.id,
    issuer: v.issuer,
    subject: v.subject,
    expirationDate: v.expirationDate,
    ...(v.status ? { revoked: v.status.revoked, statusListCredential: v.status.statusListCredential, statusListIndex: v.status.statusListIndex } : {}),
    ...(first ? { code: first.code, reason: first.message } : {}),
    ...(v.format === 'jwt' ? { credential: v.credential } : {}),
  };
}

function presentationResult(v: PresentationVerification) {
  const first = v.problems[0];
  return {
    verified: v.verified,
    format: v.format,
    holder: v.holder,
    verifier: v.audience,
    challenge: v.challenge,
    ...(first ? { code: first.code, reason: first.message } : {}),
    credentials: v.credentials.map(credentialResult),
    ...(v.format === 'jwt' ? { presentation: v.presentation } : {}),
  };
}

function didRoutes(): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/did/create-address',
      summary: 'Create a custodial secp256k1 address; its secretKey is shown once.',
      description: 'With an Authorization: Bearer token the address belongs to that account, whose token then also authorizes its use.',
      response: Type.Object({ address: Type.String(), secretKey: Type.String() }),
      async handler({ services, ctx }) {
        const principal = await services.authenticator.authenticate(ctx);
        await services.rateLimiter.enforce('did.create-address', principal?.accountId ?? clientIpOf(ctx));
        return services.didService.createAddress(principal);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/did/create-did',
      summary: 'Create a did:ethr for an address made by create-address (with its secretKey) or for your ID wallet (with your token).',
      body: Type.Object({
        alias: Type.String({ minLength: 1, maxLength: 191 }),
        address: Address,
        secretKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      }),
      response: Identifier,
      async handler({ body, services, ctx }) {
        const principal = await services.authenticator.authenticate(ctx);
        return services.didService.createDid(principal, body);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/did/create-vc',
      summary: 'Issue a credential about the caller (credentialSubject = userInfo + id: holder + sub: userId).',
      description: '`tempKey` and `hashKey` are accepted and ignored: the bearer token authorizes. `format` and `dataModel` are w3kit extensions.',
      bearerAuth: true,
      body: Type.Object({
        holder: Did,
        issuer: Type.Optional(Did),
        userInfo: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), UserInfoValue, { maxProperties: 64 }),
        tempKey: Type.Optional(Type.String({ maxLength: 256 })),
        hashKey: Type.Optional(Type.String({ maxLength: 256 })),
        format: Type.Optional(Format),
        dataModel: Type.Optional(Type.Union([Type.Literal('1.1'), Type.Literal('2.0')])),
      }),
      async handler({ body, services, ctx }) {
        const principal = await services.authenticator.require(ctx);
        await services.rateLimiter.enforce('did.create-vc', principal.accountId);
        return services.credentialService.createVc(principal, {
          holder: body.holder,
          userInfo: body.userInfo,
          issuer: body.issuer,
          format: body.format,
          dataModel: body.dataModel,
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/did/verify-vc',
      summary: 'Verify a credential (the body is the VC): proof, validity period, revocation.',
      body: Verifiable('the verifiable credential'),
      async handler({ body, services, ctx }) {
        await services.verificationGuard.admit(clientIpOf(ctx), body);
        return credentialResult(await services.credentialService.verify(body));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/did/create-vp',
      summary: 'Create a VP (JWT) signed with the holder’s custodial key.',
      description:
        'Authorized by `tempKey` (the secretKey of the holder’s address) or by the owning account’s bearer token. `hashKey` is accepted and ignored. `challenge` (w3kit extension) becomes the JWT `nonce`: put the website login’s requestId there.',
      body: Type.Object({
        holder: Did,
        verifier: Type.Optional(Did),
        tempKey: Type.Optional(Type.String({ maxLength: 256 })),
        hashKey: Type.Optional(Type.String({ maxLength: 256 })),
        challenge: Type.Optional(Type.String({ minLength: 1, maxLength: 1100 })),
        credentials: Type.Array(Type.Union([Type.Object({}), Type.String({ maxLength: 16384 })]), { minItems: 1, maxItems: 16 }),
      }),
      async handler({ body, services, ctx }) {
        const principal = await services.authenticator.authenticate(ctx);
        return services.presentationService.createVp(principal, {
          holder: body.holder,
          credentials: body.credentials,
          verifier: body.verifier,
          challenge: body.challenge,
          tempKey: body.tempKey,
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/did/verify-vp',
      summary: 'Verify a presentation (the body is the VP) and every credential in it.',
      body: Verifiable('the verifiable presentation'),
      async handler({ body, services, ctx }) {
        await services.verificationGuard.admit(clientIpOf(ctx), body);
        return presentationResult(await services.presentationService.verify(body));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/did/revoke-vc',
      summary: 'Revoke a credential issued at your request: its status list entry is set.',
      bearerAuth: true,
      body: Type.Object({
        credentialId: Type.Optional(Type.String({ minLength: 1, maxLength: 191 })),
        credential: Type.Optional(Type.Union([Type.Object({}), Type.String({ maxLength: 16384 })])),
      }),
      async handler({ body, services, ctx }) {
        const principal = await services.authenticator.require(ctx);
        if (body.credentialId === undefined && body.credential === undefined) {
          throw services.didErrors.create('CREDENTIAL_NOT_FOUND', { message: 'Send credentialId or the credential.', issues: [{ field: 'credentialId', message: 'is required.' }] });
        }
        return services.credentialService.revoke(principal, body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/did/issuers',
      summary: 'The DIDs this server issues credentials as.',
      response: Type.Array(Identifier),
      handler: ({ services }) => services.didService.issuers(),
    }),
    defineRoute({
      method: 'GET',
      path: '/did/my-issuers',
      summary: 'Your organization’s own issuer DIDs, which VC-API /credentials/issue signs as (created on first use).',
      bearerAuth: true,
      response: Type.Array(Identifier),
      async handler({ services, ctx }) {
        const principal = await services.authenticator.require(ctx);
        if (principal.accountType !== 'organization') throw services.didErrors.create('ORGANIZATION_ONLY');
        return services.didService.organizationIssuers(principal.accountId);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/did/verifiers',
      summary: 'The DIDs this server verifies presentations as (the audience of login VPs).',
      response: Type.Array(Identifier),
      handler: ({ services }) => services.didService.verifiers(),
    }),
    defineRoute({
      method: 'GET',
      path: '/did/status-lists/:id',
      summary: 'A Bitstring Status List credential, signed by its issuer.',
      params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) }),
      async handler({ params, services, ctx }) {
        ctx.set('cache-control', 'no-cache');
        return services.statusListService.statusListCredential(params.id);
      },
    }),
  ];
}

function appLoginRoutes(options: ResolvedDidOptions): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/auth/auth-user-with-vp',
      summary: 'Log in with a Verifiable Presentation (with requestId: complete a website login).',
      body: Type.Object({ requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 1100 })), vp: Verifiable('the verifiable presentation') }),
      response: LoginResultSchema,
      async handler({ body, services, ctx }) {
        await services.rateLimiter.enforce('did.vp-login', clientIpOf(ctx));
        checkVerificationBounds(body.vp, services.didOptions);
        return services.appLoginService.loginWithPresentation(body.vp, body.requestId);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/auth/auth-user-by-app',
      summary: 'Start a website login through the wallet app: a new requestId to show as a QR code.',
      description: 'The answer adds `resultToken` (w3kit): send it with auth-user-result-by-app and cancel-auth-user-by-app so that only the site can collect the login.',
      body: Type.Object({
        requestId: Type.String({ minLength: 1, maxLength: 1000, pattern: '^\\S+$', description: 'the site URL + "?"' }),
        waitTime: Type.Optional(Type.Integer({ minimum: 1, maximum: options.appLoginMaxWaitSeconds, description: 'seconds to wait for the app' })),
      }),
      response: Type.Object({ requestId: Type.String(), waitTime: Type.Integer(), resultToken: Type.String() }),
      async handler({ body, services, ctx }) {
        await services.rateLimiter.enforce('did.app-login.request', clientIpOf(ctx));
        return services.appLoginService.requestLogin(body.requestId, body.waitTime);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/auth/cancel-auth-user-by-app',
      summary: 'Cancel a website login request.',
      body: LoginRequestBody,
      successStatus: 204,
      async handler({ body, services }) {
        await services.appLoginService.cancel(body.requestId, body.resultToken);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/auth/auth-user-result-by-app',
      summary: 'The website login’s result: 401 while waiting, 400 when unknown, expired or cancelled, the JWT once.',
      body: LoginRequestBody,
      response: LoginResultSchema,
      handler: ({ body, services }) => services.appLoginService.collect(body.requestId, body.resultToken),
    }),
  ];
}

function loginDemoRoutes(options: ResolvedDidOptions): AnyRouteSpec[] {
  if (!options.loginDemoPage) return [];
  return [
    defineRoute({
      method: 'GET',
      path: '/login-demo',
      summary: 'Demo of the website login: a QR code of a new login request, and the signed-in user once the app logs in.',
      raw: true,
      async handler({ services, ctx }) {
        const page = ctx.path.replace(/\/$/, '');
        const prefix = page.slice(0, -'/login-demo'.length);
        const request = await services.appLoginService.requestLogin(`${services.config.publicUrl}${page}?`, options.appLoginDefaultWaitSeconds);
        const { html, headers } = await renderLoginDemoPage({
          ...request,
          site: siteOfRequestId(request.requestId),
          resultUrl: `${prefix}/auth/auth-user-result-by-app`,
          scriptUrl: `${page}/app.js`,
          pollMs: 1000,
        });
        ctx.set(headers);
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = html;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/login-demo/app.js',
      summary: 'The login demo page’s polling script.',
      raw: true,
      handler({ ctx }) {
        ctx.set({ 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
        ctx.type = 'text/javascript; charset=utf-8';
        ctx.body = LOGIN_DEMO_SCRIPT;
      },
    }),
  ];
}

/** The seed's DID and VP-login endpoints, under `/v2` in the Finenex plain-JSON format. */
export function finenexRouteGroup(options: ResolvedDidOptions): RouteGroup {
  return { api: 'finenex', basePath: '/v2', format: 'finenex', routes: [...didRoutes(), ...appLoginRoutes(options), ...loginDemoRoutes(options)] };
}
