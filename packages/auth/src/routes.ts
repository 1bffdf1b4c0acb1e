import { clientIpOf, defineRoute, LoginResultSchema, Type, type RouteGroup } from '@w3kit/core';
import { authFinenexExamples, authWeb3connectExamples } from './examples.js';
import { JwksResult, MyInfoResult } from './response-schemas.js';

const Address = Type.String({ pattern: '^0x[0-9a-fA-F]{40}$', description: 'ID wallet address' });
const Jwk = Type.Object({ kty: Type.Literal('EC'), crv: Type.Literal('secp256k1'), x: Type.String(), y: Type.String() });

/** Web3Connect account routes (`/rest/v1`, `{status,result,error}` envelope). */
export const web3connectAccountRoutes = [
  defineRoute({
    name: 'auth.access-token.refresh',
    method: 'POST',
    path: '/auth/account/access_token/refresh',
    summary: 'Exchange the organization’s API key secret for an access token (JWT).',
    body: Type.Object({ api_key_secret: Type.String({ minLength: 1, maxLength: 512 }) }),
    response: Type.String({ description: 'ACCESS_TOKEN' }),
    rateLimit: [{ rule: 'auth.api-key', key: 'ip' }],
    errors: ['INVALID_API_KEY_SECRET'],
    async handler({ body, services }) {
      return services.accountService.accessTokenForApiKey(body.api_key_secret);
    },
  }),
  defineRoute({
    name: 'auth.access-token.revoke',
    method: 'POST',
    path: '/auth/account/access_token/revoke',
    summary: 'Revoke the session of the bearer access token (log out), on every instance at once.',
    description: 'Every token of the session (earlier and extended ones) stops working. A token already revoked answers 401.',
    auth: 'required',
    response: Type.Literal(true),
    async handler({ principal, services }) {
      await services.accountService.logout(principal);
      return true as const;
    },
  }),
  defineRoute({
    name: 'auth.account.import',
    method: 'POST',
    path: '/account/import',
    summary: 'Import an existing end user by a verified email (organization only).',
    description:
      'Finds only an end user whose email is verified; an unknown and an unverified email both answer 404 ACCOUNT_NOT_FOUND. ' +
      'Rate-limited per organization (`auth.import`, 429). The end user sees the import in GET /account/associations.',
    auth: 'required',
    body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 191, format: 'email' }) }),
    response: Type.Object({ email: Type.String(), id_wallet_address: Address }),
    errors: ['ACCOUNT_NOT_FOUND', 'ORGANIZATION_ONLY', 'RATE_LIMITED'],
    async handler({ principal, body, services }) {
      return services.accountService.importEndUser(principal, body.email);
    },
  }),
  defineRoute({
    name: 'auth.account.associations',
    method: 'GET',
    path: '/account/associations',
    summary: 'The organizations the end user is associated with, and how each came about (end user only).',
    description:
      '`via` is `association_page` when the end user confirmed on the association page, `import` when the organization imported ' +
      'their email with POST /account/import, `unknown` for associations recorded before the kit kept this. 403 END_USER_ONLY for an organization.',
    auth: 'required',
    response: Type.Array(
      Type.Object({
        organization_id: Type.String(),
        name: Type.Union([Type.String(), Type.Null()]),
        domain: Type.Union([Type.String(), Type.Null()]),
        domain_verified: Type.Boolean(),
        via: Type.Union([Type.Literal('association_page'), Type.Literal('import'), Type.Literal('unknown')]),
        associated_at: Type.String({ description: 'ISO 8601' }),
      }),
    ),
    errors: ['END_USER_ONLY'],
    async handler({ principal, services }) {
      return services.accountService.associations(principal);
    },
  }),
  defineRoute({
    name: 'auth.account.public-info',
    method: 'GET',
    path: '/account/id_wallet/:address/public_info',
    summary: 'Public info of an ID wallet: its address and secp256k1 public key as a JWK.',
    auth: 'required',
    params: Type.Object({ address: Address }),
    response: Type.Object({ id_wallet_address: Address, id_wallet_public_key_jwk: Jwk }),
    errors: ['WALLET_NOT_FOUND'],
    async handler({ params, services }) {
      return services.accountService.publicInfo(params.address);
    },
  }),
  defineRoute({
    name: 'auth.account.my-info',
    method: 'GET',
    path: '/account/my_info',
    summary: 'The requester’s OIDC-style claims and ID wallet (no private material).',
    auth: 'required',
    response: MyInfoResult,
    async handler({ principal, services }) {
      return services.accountService.myInfo(principal);
    },
  }),
];

/** Finenex password login (`/v2`, plain JSON). */
export const finenexAuthRoutes = [
  defineRoute({
    name: 'auth.login',
    method: 'POST',
    path: '/auth/auth-user',
    summary: 'Log in with id and password, or extend a still-valid token (up to its session’s absolute lifetime).',
    description: '`userType` is accepted and ignored, as the document says. With `token`, a valid token is exchanged for a new one.',
    body: Type.Object({
      userType: Type.Optional(Type.String({ maxLength: 32 })),
      id: Type.Optional(Type.String({ minLength: 1, maxLength: 191 })),
      password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    }),
    response: LoginResultSchema,
    errors: ['INVALID_CREDENTIALS', 'INVALID_TOKEN', 'RATE_LIMITED'],
    async handler({ body, services, ctx }) {
      if (body.id !== undefined && body.password !== undefined) return services.accountService.loginWithPassword(body.id, body.password, clientIpOf(ctx));
      if (body.token !== undefined) return services.accountService.extendSession(body.token);
      const missing = [body.id === undefined ? 'id' : 'password'];
      throw services.authErrors.create('INVALID_CREDENTIALS', {
        message: 'Send id and password, or a token to extend.',
        issues: missing.map((field) => ({ field, message: 'is required.' })),
      });
    },
  }),
  defineRoute({
    name: 'auth.logout',
    method: 'POST',
    path: '/auth/logout',
    summary: 'Log out: revoke the session of the bearer token, on every instance at once.',
    description: 'Every token of the session (earlier and extended ones) stops working. A token already revoked answers 401.',
    auth: 'required',
    response: Type.Object({ loggedOut: Type.Literal(true) }),
    async handler({ principal, services }) {
      await services.accountService.logout(principal);
      return { loggedOut: true as const };
    },
  }),
];

export const jwksRoutes = [
  defineRoute({
    name: 'auth.jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    summary: 'The public keys that verify access tokens.',
    response: JwksResult,
    async handler({ services, ctx }) {
      ctx.set('cache-control', 'public, max-age=300');
      return services.tokenService.jwks();
    },
  }),
];

export function authRouteGroups(extra: { web3connect?: RouteGroup['routes']; finenex?: RouteGroup['routes']; root?: RouteGroup['routes'] } = {}): RouteGroup[] {
  return [
    { api: 'web3connect', basePath: '/rest/v1', format: 'web3connect', routes: [...web3connectAccountRoutes, ...(extra.web3connect ?? [])], examples: authWeb3connectExamples },
    { api: 'finenex', basePath: '/v2', format: 'finenex', routes: [...finenexAuthRoutes, ...(extra.finenex ?? [])], examples: authFinenexExamples },
    { api: 'auth-root', basePath: '', format: 'finenex', routes: [...jwksRoutes, ...(extra.root ?? [])] },
  ];
}
