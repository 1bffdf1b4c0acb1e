import { clientIpOf, defineRoute, Type, type RouteGroup } from '@w3kit/core';
import type { Context } from 'koa';
import { originExamples } from './examples.js';
import { flowProblemPage, openerMessagePage, type RenderedPage } from './redirect-pages.js';

// Properties are declared in alphabetical order, so a request with several bad fields is
// answered in the order of the Origin attestations document's example: ["code: …", "identity: …"].
const Identity = Type.String({ pattern: '^0x[0-9a-fA-F]{40}$', description: 'Address of the ERC725 identity (any letter case).' });
const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code that was sent.' });
const Phone = Type.String({ minLength: 1, maxLength: 40, description: 'A phone number: E.164 (+14155552671), or national with country_calling_code.' });
const CountryCallingCode = Type.Union([Type.String({ pattern: '^\\+?[1-9][0-9]{0,2}$' }), Type.Integer({ minimum: 1, maximum: 999 })], {
  description: 'Calling code of a national phone number (1, "44", "+33").',
});
const Email = Type.String({ minLength: 3, maxLength: 254, description: 'An internet email address (a dotted domain with a real top-level domain).' });
const OAuthValue = Type.String({ minLength: 1, maxLength: 2048 });

const SignedClaim = Type.Object({
  'claim-type': Type.Integer({ description: 'ERC725 claim type used in the signature: facebook 3, twitter 4, phone 10, email 11.' }),
  signature: Type.String({ description: "The signer's signature of the claim (Origin's scheme; see docs/attestations.md)." }),
  data: Type.String({ description: 'ERC725 data used in the signature.' }),
});
const Empty = Type.Object({});
const AuthUrl = Type.Object({ url: Type.String() });

const originRoutes = [
  defineRoute({
    name: 'attestations.phone.generate-code',
    method: 'POST',
    path: '/phone/generate-code',
    summary: 'Sends a 6-digit code to a phone number by SMS.',
    body: Type.Object({
      country_calling_code: Type.Optional(CountryCallingCode),
      locale: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$' })),
      method: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('call')])),
      phone: Phone,
    }),
    response: Empty,
    errors: ['CALL_NOT_SUPPORTED', 'INVALID_PHONE_NUMBER', 'RATE_LIMITED', 'SMS_NOT_SENT'],
    async handler({ body, services, ctx }) {
      await services.attestationService.sendPhoneCode({
        phone: body.phone,
        countryCallingCode: body.country_calling_code,
        method: body.method,
        locale: body.locale,
        clientIp: clientIpOf(ctx),
      });
      return {};
    },
  }),
  defineRoute({
    name: 'attestations.phone.verify',
    method: 'POST',
    path: '/phone/verify',
    summary: 'Checks the phone code and returns a signed phone claim (type 10).',
    body: Type.Object({ code: Code, country_calling_code: Type.Optional(CountryCallingCode), identity: Identity, phone: Phone }),
    response: SignedClaim,
    errors: ['CODE_ALREADY_USED', 'CODE_ATTEMPTS_EXHAUSTED', 'CODE_EXPIRED', 'CODE_INCORRECT', 'CODE_NOT_FOUND', 'INVALID_PHONE_NUMBER'],
    handler: ({ body, services }) => services.attestationService.verifyPhone({ identity: body.identity, phone: body.phone, countryCallingCode: body.country_calling_code, code: body.code }),
  }),
  defineRoute({
    name: 'attestations.email.generate-code',
    method: 'POST',
    path: '/email/generate-code',
    summary: 'Sends a 6-digit code to an email address.',
    body: Type.Object({ email: Email }),
    response: Empty,
    errors: ['EMAIL_NOT_SENT', 'INVALID_EMAIL', 'RATE_LIMITED'],
    async handler({ body, services, ctx }) {
      await services.attestationService.sendEmailCode({ email: body.email, clientIp: clientIpOf(ctx) });
      return {};
    },
  }),
  defineRoute({
    name: 'attestations.email.verify',
    method: 'POST',
    path: '/email/verify',
    summary: 'Checks the email code and returns a signed email claim (type 11).',
    body: Type.Object({ code: Code, email: Email, identity: Identity }),
    response: SignedClaim,
    errors: ['CODE_ALREADY_USED', 'CODE_ATTEMPTS_EXHAUSTED', 'CODE_EXPIRED', 'CODE_INCORRECT', 'CODE_NOT_FOUND', 'INVALID_EMAIL'],
    handler: ({ body, services }) => services.attestationService.verifyEmail(body),
  }),
  defineRoute({
    name: 'attestations.facebook.auth-url',
    method: 'GET',
    path: '/facebook/auth-url',
    summary: 'Starts a Facebook flow: the login dialog URL to open in a new window.',
    description: 'The window comes back to /redirects/facebook/, which posts `facebook-code:<code>` to its opener.',
    response: AuthUrl,
    errors: ['FACEBOOK_NOT_CONFIGURED', 'RATE_LIMITED'],
    handler: async ({ services, ctx }) => ({ url: await services.attestationService.facebookAuthUrl({ clientIp: clientIpOf(ctx) }) }),
  }),
  defineRoute({
    name: 'attestations.facebook.verify',
    method: 'POST',
    path: '/facebook/verify',
    summary: 'Exchanges the Facebook code and returns a signed facebook claim (type 3).',
    body: Type.Object({ code: OAuthValue, identity: Identity }),
    response: SignedClaim,
    errors: ['FACEBOOK_FLOW_NOT_FOUND', 'FACEBOOK_NOT_CONFIGURED', 'FACEBOOK_REFUSED'],
    handler: ({ body, services }) => services.attestationService.verifyFacebook(body),
  }),
  defineRoute({
    name: 'attestations.twitter.auth-url',
    method: 'GET',
    path: '/twitter/auth-url',
    summary: 'Starts a Twitter flow: the authenticate URL to open in a new window.',
    description: 'The window comes back to /redirects/twitter/, which posts `twitter-oauth-verifier:<verifier>` to its opener.',
    response: AuthUrl,
    errors: ['TWITTER_NOT_CONFIGURED', 'TWITTER_REFUSED'],
    handler: async ({ services, ctx }) => ({ url: await services.attestationService.twitterAuthUrl({ clientIp: clientIpOf(ctx) }) }),
  }),
  defineRoute({
    name: 'attestations.twitter.verify',
    method: 'POST',
    path: '/twitter/verify',
    summary: 'Exchanges the OAuth verifier and returns a signed twitter claim (type 4).',
    description: '`oauth-token` is optional: without it the flow is the one whose redirect page received this verifier.',
    body: Type.Object({ identity: Identity, 'oauth-token': Type.Optional(OAuthValue), 'oauth-verifier': OAuthValue }),
    response: SignedClaim,
    errors: ['TWITTER_FLOW_NOT_FOUND', 'TWITTER_NOT_CONFIGURED', 'TWITTER_REFUSED'],
    handler: ({ body, services }) => services.attestationService.verifyTwitter({ identity: body.identity, verifier: body['oauth-verifier'], token: body['oauth-token'] }),
  }),
  defineRoute({
    name: 'attestations.signer',
    method: 'GET',
    path: '/signer',
    summary: 'The address that signs the claims, for clients that check them.',
    response: Type.Object({ address: Type.String() }),
    handler: ({ services }) => ({ address: services.attestationService.signerAddress }),
  }),
];

const EXPIRED = 'This sign-in is unknown, has expired or was already used. Close this window and start again.';
const CANCELLED = 'The sign-in was cancelled. You can close this window.';

type ProviderReturn = { message: string; bind(): Promise<boolean> } | { cancelled: boolean };

/**
 * Answers a provider's redirect: once the returned grant is bound to its flow, a page that
 * posts `message` to the opener; otherwise a page saying why, which posts nothing.
 */
async function answerReturn(ctx: Context, provider: string, openerOrigin: string, returned: ProviderReturn): Promise<void> {
  let rendered: RenderedPage;
  if ('cancelled' in returned) rendered = flowProblemPage(provider, returned.cancelled ? 200 : 400, returned.cancelled ? CANCELLED : EXPIRED);
  else rendered = (await returned.bind()) ? openerMessagePage(provider, returned.message, openerOrigin) : flowProblemPage(provider, 400, EXPIRED);
  ctx.status = rendered.status;
  ctx.set(rendered.headers);
  ctx.body = rendered.html;
}

const redirectRoutes = [
  defineRoute({
    name: 'attestations.facebook.redirect',
    method: 'GET',
    path: '/facebook/',
    summary: 'Where Facebook sends the browser back: posts `facebook-code:<code>` to the opener window.',
    query: Type.Object({ code: Type.Optional(OAuthValue), error: Type.Optional(OAuthValue), state: Type.Optional(OAuthValue) }),
    raw: true,
    handler({ query: { state, code, error }, services, ctx }) {
      return answerReturn(
        ctx,
        'Facebook',
        services.attestationOptions.openerOrigin,
        state === undefined || code === undefined
          ? { cancelled: error !== undefined }
          : { message: `facebook-code:${code}`, bind: () => services.attestationService.facebookReturned({ state, code }) },
      );
    },
  }),
  defineRoute({
    name: 'attestations.twitter.redirect',
    method: 'GET',
    path: '/twitter/',
    summary: 'Where Twitter sends the browser back: posts `twitter-oauth-verifier:<verifier>` to the opener window.',
    query: Type.Object({ denied: Type.Optional(OAuthValue), oauth_token: Type.Optional(OAuthValue), oauth_verifier: Type.Optional(OAuthValue) }),
    raw: true,
    handler({ query: { oauth_token: token, oauth_verifier: verifier, denied }, services, ctx }) {
      return answerReturn(
        ctx,
        'Twitter',
        services.attestationOptions.openerOrigin,
        token === undefined || verifier === undefined
          ? { cancelled: denied !== undefined }
          : { message: `twitter-oauth-verifier:${verifier}`, bind: () => services.attestationService.twitterReturned({ token, verifier }) },
      );
    },
  }),
];

/** The Origin attestations document's endpoints under `/api/attestations`, and the providers' redirect pages under `/redirects`. */
export const attestationRoutes: readonly RouteGroup[] = [
  { api: 'origin', basePath: '/api/attestations', format: 'origin', routes: originRoutes, examples: originExamples },
  { api: 'redirects', basePath: '/redirects', format: 'origin', routes: redirectRoutes },
];
