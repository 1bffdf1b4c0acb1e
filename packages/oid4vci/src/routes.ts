import { defineRoute, readFormBody, Type, type RouteGroup } from '@w3kit/core';
import type { Context } from 'koa';
import { oid4vciExamples, oid4vciOfferExamples } from './examples.js';
import { OFFER_PAGE_CSP } from './offer-page.js';
import { requestLike } from './request-like.js';

const Json = Type.Record(Type.String(), Type.Unknown());
const noStore = (ctx: Context) => {
  ctx.set('cache-control', 'no-store');
  ctx.set('pragma', 'no-cache');
};

/** The metadata documents, at the kit's root (`/.well-known/…` of the credential issuer identifier). */
export const wellKnownRoutes = [
  defineRoute({
    name: 'oid4vci.metadata',
    method: 'GET',
    path: '/.well-known/openid-credential-issuer',
    summary: 'OID4VCI 1.0 credential issuer metadata.',
    response: Json,
    handler: ({ services }) => services.oid4vciMetadata.credentialIssuerMetadata,
  }),
  defineRoute({
    name: 'oid4vci.authorization-server',
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    summary: 'RFC 8414 metadata of the authorization server of the pre-authorized code flow (its token endpoint).',
    response: Json,
    handler: ({ services }) => services.oid4vciMetadata.authorizationServer,
  }),
  defineRoute({
    name: 'oid4vci.jwt-vc-issuer',
    method: 'GET',
    path: '/.well-known/jwt-vc-issuer',
    summary: 'SD-JWT VC issuer metadata: the issuer and the JWKS its SD-JWT VCs verify with.',
    response: Type.Object({ issuer: Type.String(), jwks: Type.Object({ keys: Type.Array(Json) }) }),
    handler: ({ services }) => services.issuanceService.jwtVcIssuerMetadata(),
  }),
];

/** The protocol endpoints (OAuth wire format: errors are `{error, error_description}`). */
export const protocolRoutes = [
  defineRoute({
    name: 'oid4vci.token',
    method: 'POST',
    path: '/token',
    rateLimit: [{ rule: 'oid4vci.token', key: 'ip' }],
    readsBody: true,
    errors: ['INVALID_GRANT', 'INVALID_REQUEST', 'UNSUPPORTED_GRANT_TYPE'],
    summary: 'Token endpoint: the pre-authorized code grant (with tx_code when the offer has one), form-encoded.',
    description:
      'Each pre-authorized code gives one access token. 400 invalid_grant for an unknown, expired or used code (and when the tx_code tries ran out), ' +
      'invalid_tx_code for a wrong one (each try counted, `txCodeMaxAttempts`), unsupported_grant_type; 429 per client IP (`oid4vci.token`).',
    response: Type.Object({ access_token: Type.String(), token_type: Type.String(), expires_in: Type.Integer() }, { additionalProperties: true }),
    async handler({ services, ctx }) {
      const body = await readFormBody(ctx, services.config.bodyLimitBytes);
      noStore(ctx);
      return services.offerService.token(requestLike(ctx, services.oid4vciMetadata.authorizationServer.token_endpoint), body);
    },
  }),
  defineRoute({
    name: 'oid4vci.nonce',
    method: 'POST',
    path: '/nonce',
    rateLimit: [{ rule: 'oid4vci.nonce', key: 'ip' }],
    summary: 'Nonce endpoint: a one-time c_nonce for the proof of a credential request.',
    response: Type.Object({ c_nonce: Type.String(), c_nonce_expires_in: Type.Integer() }),
    async handler({ services, ctx }) {
      noStore(ctx);
      return services.issuanceService.nonce();
    },
  }),
  defineRoute({
    name: 'oid4vci.credential',
    method: 'POST',
    path: '/credential',
    rateLimit: [{ rule: 'oid4vci.credential', key: 'ip' }],
    errors: ['CREDENTIAL_REQUEST_DENIED', 'INVALID_NONCE', 'INVALID_PROOF', 'INVALID_REQUEST', 'INVALID_TOKEN', 'UNKNOWN_CREDENTIAL_CONFIGURATION'],
    summary: 'Credential endpoint (Authorization: Bearer from this token endpoint or, with @w3kit/oidc, the OP’s): one credential, bound to the proof’s key.',
    description:
      'The proof JWT (`proofs.jwt`, exactly one) must verify with the key in its header, name this issuer as `aud`, carry a c_nonce from the ' +
      'nonce endpoint (used up here) and an `iat` within `proofMaxAgeSeconds` of now. 400 invalid_proof, invalid_nonce, ' +
      'unknown_credential_configuration (also: not in the OP token’s scope), credential_request_denied (the offer’s credential was issued); 401 invalid_token; ' +
      '429 per client IP (`oid4vci.credential`) and per account of the token (`oid4vci.credential-account`).',
    body: Json,
    response: Type.Object({ credentials: Type.Array(Type.Object({ credential: Type.Unknown() })) }, { additionalProperties: true }),
    async handler({ body, services, ctx }) {
      noStore(ctx);
      return services.issuanceService.credential(requestLike(ctx, services.oid4vciMetadata.credentialIssuerMetadata.credential_endpoint), body);
    },
  }),
  defineRoute({
    name: 'oid4vci.offer',
    method: 'GET',
    path: '/offers/:reference',
    rateLimit: [{ rule: 'oid4vci.offer-fetch', key: 'ip' }],
    errors: ['OFFER_NOT_FOUND'],
    summary: 'The credential offer of a `credential_offer_uri`: served once, then 404 offer_not_found.',
    params: Type.Object({ reference: Type.String({ minLength: 1, maxLength: 64 }) }),
    response: Json,
    async handler({ params, services, ctx }) {
      noStore(ctx);
      return services.offerService.offerDocument(params.reference);
    },
  }),
  defineRoute({
    name: 'oid4vci.offer-page',
    method: 'GET',
    path: '/offers/:reference/page',
    rateLimit: [{ rule: 'oid4vci.offer-fetch', key: 'ip' }],
    errors: ['OFFER_NOT_FOUND'],
    produces: 'text/html',
    summary: 'A page showing the offer as a QR code (`openid-credential-offer://?credential_offer_uri=…`), while it was not fetched.',
    params: Type.Object({ reference: Type.String({ minLength: 1, maxLength: 64 }) }),
    raw: true,
    async handler({ params, services, ctx }) {
      const html = await services.offerService.offerPage(params.reference);
      noStore(ctx);
      ctx.set('content-security-policy', OFFER_PAGE_CSP);
      ctx.set('x-frame-options', 'DENY');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = html;
    },
  }),
  defineRoute({
    name: 'oid4vci.status-list',
    method: 'GET',
    path: '/status-lists/:listId',
    produces: 'application/statuslist+jwt',
    summary: 'A Token Status List (draft-ietf-oauth-status-list) of the SD-JWT VCs, as a signed `statuslist+jwt`.',
    params: Type.Object({ listId: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }) }),
    raw: true,
    async handler({ params, services, ctx }) {
      const token = await services.issuanceService.statusListToken(Number(params.listId));
      ctx.set('cache-control', `max-age=${services.oid4vciOptions.statusListTtlSeconds}`);
      ctx.type = 'application/statuslist+jwt';
      ctx.body = token;
    },
  }),
  defineRoute({
    name: 'oid4vci.jwks',
    method: 'GET',
    path: '/jwks',
    summary: 'The issuer’s public keys (JWKS): they sign SD-JWT VCs, access tokens and status list tokens.',
    response: Type.Object({ keys: Type.Array(Json) }),
    async handler({ services }) {
      return { keys: (await services.issuanceService.jwtVcIssuerMetadata()).jwks.keys };
    },
  }),
];

/** The kit's own endpoints of the issuer, beside the other Finenex ones (`/v2`, plain JSON). */
export const offerRoutes = [
  defineRoute({
    name: 'oid4vci.create-offer',
    method: 'POST',
    path: '/oid4vci/offers',
    auth: 'required',
    errors: ['GRANT_UNAVAILABLE', 'NO_CONTACT_FOR_TX_CODE', 'OFFER_FORBIDDEN', 'UNKNOWN_CREDENTIAL_CONFIGURATION'],
    summary: 'Create a credential offer (pre-authorized code, or authorization code through the OP): an end user for themselves, an organization for one of its associated end users.',
    description:
      'With `tx_code: "sms"` or `"email"` a code goes to the account’s phone or email and the wallet must send it to the token endpoint. ' +
      'With `grant: "authorization_code"` (the oidc plugin composed) the offer carries an `issuer_state` instead, used once when the OP issues its code to the offer’s account. ' +
      '400 UNKNOWN_CREDENTIAL_CONFIGURATION, GRANT_UNAVAILABLE; 403 OFFER_FORBIDDEN; 422 NO_CONTACT_FOR_TX_CODE; 429 per creating account (`oid4vci.offer`).',
    successStatus: 201,
    body: Type.Object({
      credential_configuration_id: Type.String({ maxLength: 64 }),
      account_id: Type.Optional(Type.String({ maxLength: 36 })),
      tx_code: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('email')])),
      grant: Type.Optional(Type.Union([Type.Literal('pre-authorized_code'), Type.Literal('authorization_code')])),
    }),
    response: Type.Object({
      offer_id: Type.String(),
      credential_offer: Type.String(),
      credential_offer_uri: Type.String(),
      page_url: Type.String(),
      expires_at: Type.String({ description: 'ISO 8601' }),
      tx_code_sent_to: Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Null()]),
    }),
    async handler({ principal, body, services, ctx }) {
      noStore(ctx);
      return services.offerService.create(principal, {
        credentialConfigurationId: body.credential_configuration_id,
        accountId: body.account_id,
        txCode: body.tx_code,
        grant: body.grant,
      });
    },
  }),
  defineRoute({
    name: 'oid4vci.revoke',
    method: 'POST',
    path: '/oid4vci/credentials/revoke',
    auth: 'required',
    errors: ['CREDENTIAL_NOT_FOUND', 'OFFER_FORBIDDEN'],
    summary: 'Revoke an SD-JWT VC by its status entry (`status.status_list` of the credential): the account it is about, or the organization that offered it.',
    description: 'Sets the entry of the Token Status List to 1 (invalid) on every instance at once. 403 OFFER_FORBIDDEN; 404 CREDENTIAL_NOT_FOUND.',
    body: Type.Object({ uri: Type.String({ maxLength: 2048 }), idx: Type.Integer({ minimum: 0 }) }),
    response: Type.Object({ uri: Type.String(), idx: Type.Integer(), revoked: Type.Literal(true) }),
    async handler({ principal, body, services }) {
      return services.issuanceService.revoke(principal, body);
    },
  }),
];

export function oid4vciRouteGroups(basePath: string): RouteGroup[] {
  return [
    { api: 'oid4vci-well-known', basePath: '', format: 'oauth', routes: wellKnownRoutes },
    { api: 'oid4vci', basePath, format: 'oauth', routes: protocolRoutes, examples: oid4vciExamples },
    { api: 'finenex', basePath: '/v2', format: 'finenex', routes: offerRoutes, examples: oid4vciOfferExamples },
  ];
}
