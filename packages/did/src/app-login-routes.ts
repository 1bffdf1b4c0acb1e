import { defineRoute, LoginResultSchema, Type, type AnyRouteSpec } from '@w3kit/core';
import { Verifiable } from './did-routes.js';
import type { ResolvedDidOptions } from './did-config.js';
import { checkVerificationBounds } from './verification-guard.js';

const LoginRequestBody = Type.Object({
  requestId: Type.String({ minLength: 1, maxLength: 1100 }),
  waitTime: Type.Optional(Type.Number({ description: 'ignored' })),
  resultToken: Type.Optional(Type.String({ maxLength: 128, description: 'the resultToken auth-user-by-app returned' })),
});

/** The Finenex document's VP login and website login through the wallet app (`/v2/auth/…`). */
export function appLoginRoutes(options: ResolvedDidOptions): AnyRouteSpec[] {
  return [
    defineRoute({
      name: 'did.login-with-vp',
      method: 'POST',
      path: '/auth/auth-user-with-vp',
      summary: 'Log in with a Verifiable Presentation (with requestId: complete a website login).',
      body: Type.Object({ requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 1100 })), vp: Verifiable('the verifiable presentation') }),
      response: LoginResultSchema,
      rateLimit: [{ rule: 'did.vp-login', key: 'ip' }],
      errors: ['LOGIN_REQUEST_CANCELLED', 'LOGIN_REQUEST_COMPLETED', 'LOGIN_REQUEST_EXPIRED', 'LOGIN_REQUEST_NOT_FOUND', 'PRESENTATION_REJECTED', 'TOO_COMPLEX_TO_VERIFY'],
      async handler({ body, services }) {
        checkVerificationBounds(body.vp, services.didOptions);
        return services.appLoginService.loginWithPresentation(body.vp, body.requestId);
      },
    }),
    defineRoute({
      name: 'did.app-login.request',
      method: 'POST',
      path: '/auth/auth-user-by-app',
      summary: 'Start a website login through the wallet app: a new requestId to show as a QR code.',
      description: 'The answer adds `resultToken` (w3kit): send it with auth-user-result-by-app and cancel-auth-user-by-app so that only the site can collect the login.',
      body: Type.Object({
        requestId: Type.String({ minLength: 1, maxLength: 1000, pattern: '^\\S+$', description: 'the site URL + "?"' }),
        waitTime: Type.Optional(Type.Integer({ minimum: 1, maximum: options.appLoginMaxWaitSeconds, description: 'seconds to wait for the app' })),
      }),
      response: Type.Object({ requestId: Type.String(), waitTime: Type.Integer(), resultToken: Type.String() }),
      rateLimit: [{ rule: 'did.app-login.request', key: 'ip' }],
      async handler({ body, services }) {
        return services.appLoginService.requestLogin(body.requestId, body.waitTime);
      },
    }),
    defineRoute({
      name: 'did.app-login.cancel',
      method: 'POST',
      path: '/auth/cancel-auth-user-by-app',
      summary: 'Cancel a website login request.',
      body: LoginRequestBody,
      successStatus: 204,
      errors: ['INVALID_RESULT_TOKEN', 'LOGIN_REQUEST_CANCELLED', 'LOGIN_REQUEST_COMPLETED', 'LOGIN_REQUEST_NOT_FOUND'],
      async handler({ body, services }) {
        await services.appLoginService.cancel(body.requestId, body.resultToken);
      },
    }),
    defineRoute({
      name: 'did.app-login.result',
      method: 'POST',
      path: '/auth/auth-user-result-by-app',
      summary: 'The website login’s result: 401 while waiting, 400 when unknown, expired or cancelled, the JWT once.',
      body: LoginRequestBody,
      response: LoginResultSchema,
      errors: ['INVALID_RESULT_TOKEN', 'LOGIN_PENDING', 'LOGIN_REQUEST_CANCELLED', 'LOGIN_REQUEST_EXPIRED', 'LOGIN_REQUEST_NOT_FOUND', 'LOGIN_RESULT_COLLECTED'],
      handler: ({ body, services }) => services.appLoginService.collect(body.requestId, body.resultToken),
    }),
  ];
}
