import { defineRoute, LoginResultSchema, readFormBody, Type, type AnyRouteSpec, type RouteGroup } from '@w3kit/core';
import type { Context } from 'koa';
import { LOGIN_PAGE_SCRIPT, renderLoginPage } from './login-page.js';
import type { ResolvedOid4vpOptions } from './oid4vp-config.js';

const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'A random id of the kit’s.' });
// an SD-JWT VC presentation with a few disclosures is a few kB; a JWE of one a little more
const RESPONSE_LIMIT_BYTES = 64 * 1024;

const StartBody = Type.Object(
  {
    flow: Type.Optional(Type.Union([Type.Literal('cross_device'), Type.Literal('same_device')], { description: 'Default cross_device (a QR code).' })),
    response_mode: Type.Optional(Type.Union([Type.Literal('direct_post'), Type.Literal('direct_post.jwt')], { description: 'Default direct_post.jwt (the response is encrypted).' })),
    redirect_uri: Type.Optional(Type.String({ maxLength: 2048, description: 'same_device only: where the wallet sends the browser back to, with #response_code=…' })),
  },
  { additionalProperties: false },
);

const CollectBody = Type.Object(
  {
    transaction_id: Id,
    result_token: Type.String({ minLength: 1, maxLength: 128 }),
    response_code: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'same_device: the code of the wallet’s redirect.' })),
  },
  { additionalProperties: false },
);

/** A raw route's answer: what it is, how it may be cached, and its body. */
function answer(ctx: Context, type: string, headers: Record<string, string>, body: string) {
  ctx.set(headers);
  ctx.type = type;
  ctx.body = body;
}

function routes(options: ResolvedOid4vpOptions): AnyRouteSpec[] {
  return [
    defineRoute({
      name: 'oid4vp.start',
      method: 'POST',
      path: '/requests',
      rateLimit: [{ rule: 'oid4vp.request', key: 'ip' }],
      errors: ['REDIRECT_NOT_ALLOWED'],
      summary: 'Start an OpenID4VP login: a signed request by reference, asking for the kit’s SD-JWT VC (DCQL).',
      description:
        'Answers the `openid4vp://` URL (the QR code, or the same-device link), the transaction id and a result token shown once. ' +
        'Rate-limited per client IP (`oid4vp.request`). 503 OID4VP_UNAVAILABLE when no SD-JWT VC issuer is composed; 400 REDIRECT_NOT_ALLOWED.',
      body: StartBody,
      successStatus: 201,
      response: Type.Object({
        transaction_id: Type.String(),
        authorization_request: Type.String(),
        request_uri: Type.String(),
        result_token: Type.String(),
        expires_at: Type.String({ description: 'ISO 8601' }),
      }),
      async handler({ body, services, ctx }) {
        const started = await services.oid4vpService.start({
          flow: body.flow ?? 'cross_device',
          responseMode: body.response_mode ?? 'direct_post.jwt',
          redirectUri: body.redirect_uri,
        });
        ctx.set('cache-control', 'no-store');
        return {
          transaction_id: started.transactionId,
          authorization_request: started.authorizationRequest,
          request_uri: started.requestUri,
          result_token: started.resultToken,
          expires_at: started.expiresAt.toISOString(),
        };
      },
    }),
    defineRoute({
      name: 'oid4vp.request-object',
      method: 'GET',
      path: '/requests/:id',
      errors: ['REQUEST_EXPIRED', 'REQUEST_NOT_FOUND', 'REQUEST_URI_USED'],
      produces: 'application/oauth-authz-req+jwt',
      summary: 'The request_uri: the signed request object (application/oauth-authz-req+jwt), handed out once.',
      description: '400 REQUEST_URI_USED for a second fetch, REQUEST_EXPIRED, REQUEST_NOT_FOUND.',
      params: Type.Object({ id: Id }),
      raw: true,
      async handler({ params, services, ctx }) {
        answer(ctx, 'application/oauth-authz-req+jwt', { 'cache-control': 'no-store' }, await services.oid4vpService.requestObject(params.id));
      },
    }),
    defineRoute({
      name: 'oid4vp.response',
      method: 'POST',
      path: '/responses/:id',
      rateLimit: [{ rule: 'oid4vp.response', key: 'ip' }],
      errors: ['PRESENTATION_REJECTED', 'REQUEST_ANSWERED', 'REQUEST_EXPIRED', 'REQUEST_NOT_FETCHED', 'REQUEST_NOT_FOUND', 'RESPONSE_MALFORMED'],
      summary: 'The response_uri (direct_post, direct_post.jwt): the wallet’s vp_token, or its encrypted response.',
      description:
        'application/x-www-form-urlencoded, as OID4VP 1.0 §8.2 says. 200 `{}` (cross-device) or `{redirect_uri}` (same-device). ' +
        '401 PRESENTATION_REJECTED with `reason`; 400 RESPONSE_MALFORMED, REQUEST_ANSWERED, REQUEST_EXPIRED, REQUEST_NOT_FETCHED. Rate-limited per client IP (`oid4vp.response`).',
      params: Type.Object({ id: Id }),
      response: Type.Object({ redirect_uri: Type.Optional(Type.String()) }),
      raw: true,
      async handler({ params, services, ctx }) {
        const fields = await readFormBody(ctx, RESPONSE_LIMIT_BYTES);
        const result = await services.oid4vpService.respond(params.id, fields);
        ctx.set('cache-control', 'no-store');
        ctx.body = result;
      },
    }),
    defineRoute({
      name: 'oid4vp.result',
      method: 'POST',
      path: '/result',
      rateLimit: [{ rule: 'oid4vp.result', key: 'ip' }],
      errors: ['INVALID_RESULT_TOKEN', 'LOGIN_FAILED', 'LOGIN_PENDING', 'LOGIN_RESULT_COLLECTED', 'REQUEST_EXPIRED', 'REQUEST_NOT_FOUND'],
      summary: 'The login result, collected once: 401 login_pending while the wallet has not answered, the JWT once.',
      description:
        'Needs the result token of the start call; a same-device login also the `response_code` of the wallet’s redirect. ' +
        '401 LOGIN_PENDING, INVALID_RESULT_TOKEN; 400 LOGIN_FAILED (with the `reason`), LOGIN_RESULT_COLLECTED, REQUEST_EXPIRED, REQUEST_NOT_FOUND. ' +
        'Rate-limited per client IP (`oid4vp.result`).',
      body: CollectBody,
      response: LoginResultSchema,
      async handler({ body, services, ctx }) {
        ctx.set('cache-control', 'no-store');
        return services.oid4vpService.collect({
          transactionId: body.transaction_id,
          resultToken: body.result_token,
          responseCode: body.response_code,
        });
      },
    }),
    defineRoute({
      name: 'oid4vp.did',
      method: 'GET',
      path: '/did.json',
      summary: 'The verifier’s DID document (did:web): the key its request objects are signed with.',
      response: Type.Object({ id: Type.String() }, { additionalProperties: true }),
      handler: ({ services }) => services.oid4vpService.identity.didDocument,
    }),
    ...(options.loginPage ? loginPageRoutes() : []),
  ];
}

function loginPageRoutes(): AnyRouteSpec[] {
  return [
    defineRoute({
      name: 'oid4vp.login-page',
      method: 'GET',
      path: '/login',
      rateLimit: [{ rule: 'oid4vp.request', key: 'ip' }],
      produces: 'text/html',
      summary: 'Demo login page: a cross-device request as a QR code, or `?flow=same_device` a link to a wallet on this device.',
      query: Type.Object({ flow: Type.Optional(Type.Union([Type.Literal('cross_device'), Type.Literal('same_device')])) }),
      raw: true,
      async handler({ query, services, ctx }) {
        const page = ctx.path.replace(/\/$/, '');
        const base = page.slice(0, -'/login'.length);
        const flow = query.flow ?? 'cross_device';
        const started = await services.oid4vpService.start({
          flow,
          responseMode: 'direct_post.jwt',
          // the wallet comes back to this page, whose script collects with the response code
          ...(flow === 'same_device' ? { redirectUri: `${services.config.publicUrl}${page}` } : {}),
        });
        const { html, headers } = await renderLoginPage({
          flow,
          authorizationRequest: started.authorizationRequest,
          transactionId: started.transactionId,
          resultToken: started.resultToken,
          resultUrl: `${base}/result`,
          scriptUrl: `${page}/app.js`,
          clientId: services.oid4vpService.identity.clientId,
          pollMs: 1000,
        });
        answer(ctx, 'text/html; charset=utf-8', headers, html);
      },
    }),
    defineRoute({
      name: 'oid4vp.login-script',
      method: 'GET',
      path: '/login/app.js',
      produces: 'text/javascript',
      summary: 'The login page’s script.',
      raw: true,
      handler({ ctx }) {
        answer(ctx, 'text/javascript; charset=utf-8', { 'cache-control': 'no-cache' }, LOGIN_PAGE_SCRIPT);
      },
    }),
  ];
}

/**
 * Wallet- and site-facing endpoints under `/oid4vp`. Errors are written as the kit's other login
 * endpoints write them (Finenex: `{status, error, code, message, path, reason?}`): OID4VP 1.0
 * prescribes no error body for the response endpoint, wallets act on the status, and the site
 * and the tests get a stable `code` and the `reason` of a refused presentation.
 */
export const oid4vpRouteGroup = (options: ResolvedOid4vpOptions): RouteGroup => ({ api: 'oid4vp', basePath: '/oid4vp', format: 'finenex', routes: routes(options) });
