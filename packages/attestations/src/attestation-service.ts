import type { Clock, ConsumeFailure, EmailSender, EnvelopeEncryption, KitConfig, KitUrls, OneTimeCodes, RandomSource, RateLimiter, SmsSender } from '@w3kit/core';
import type { ResolvedAttestationsOptions } from './attestations-config.js';
import { CLAIM_DATA, CLAIM_TYPES, type AttestationTopic, type ClaimSigner, type SignedClaim } from './claim-signer.js';
import { normalizeEmailAddress, normalizePhoneNumber } from './contact-addresses.js';
import { attestationErrors, type AttestationErrorCode } from './errors.js';
import type { FacebookOAuth } from './facebook-oauth.js';
import type { FlowLocator, OAuthFlowStore, OAuthProvider } from './oauth-flow-store.js';
import type { TwitterOAuth } from './twitter-oauth.js';

/** Purposes of the one-time codes in core's code store. */
export const CODE_PURPOSES = { phone: 'attestations.phone', email: 'attestations.email' } as const;

export interface PhoneNumberInput {
  phone: string;
  countryCallingCode?: string | number | undefined;
}

/**
 * Every rule of the attestations: which inputs are acceptable, how codes are sent, limited,
 * checked and killed, how OAuth flows are bound from `auth-url` to `verify`, and what gets
 * signed. Routes only translate HTTP to these calls.
 */
export interface AttestationService {
  /** The address claims are signed by. */
  readonly signerAddress: string;
  sendPhoneCode(input: PhoneNumberInput & { method?: 'sms' | 'call' | undefined; locale?: string | undefined; clientIp: string }): Promise<void>;
  verifyPhone(input: PhoneNumberInput & { identity: string; code: string }): Promise<SignedClaim>;
  sendEmailCode(input: { email: string; clientIp: string }): Promise<void>;
  verifyEmail(input: { identity: string; email: string; code: string }): Promise<SignedClaim>;
  facebookAuthUrl(input: { clientIp: string }): Promise<string>;
  /** The redirect page saw `state` and `code`: binds the code to the flow, once. False: no such live flow. */
  facebookReturned(input: { state: string; code: string }): Promise<boolean>;
  verifyFacebook(input: { identity: string; code: string }): Promise<SignedClaim>;
  twitterAuthUrl(input: { clientIp: string }): Promise<string>;
  /** The redirect page saw `oauth_token` and `oauth_verifier`: binds the verifier to the flow, once. */
  twitterReturned(input: { token: string; verifier: string }): Promise<boolean>;
  verifyTwitter(input: { identity: string; verifier: string; token?: string | undefined }): Promise<SignedClaim>;
}

export interface AttestationServiceDeps {
  config: KitConfig;
  urls: KitUrls;
  options: ResolvedAttestationsOptions;
  oneTimeCodes: OneTimeCodes;
  rateLimiter: RateLimiter;
  smsSender: SmsSender;
  emailSender: EmailSender;
  encryption: EnvelopeEncryption;
  clock: Clock;
  random: RandomSource;
  claimSigner: ClaimSigner;
  attestationFlowStore: OAuthFlowStore;
  facebookOAuth: FacebookOAuth | null;
  twitterOAuth: TwitterOAuth | null;
}

const CONSUME_ERRORS: Record<ConsumeFailure, AttestationErrorCode> = {
  not_found: 'CODE_NOT_FOUND',
  expired: 'CODE_EXPIRED',
  invalid: 'CODE_INCORRECT',
  exhausted: 'CODE_ATTEMPTS_EXHAUSTED',
  consumed: 'CODE_ALREADY_USED',
};

interface SealedRequestToken {
  token: string;
  tokenSecret: string;
}

export function createAttestationService(deps: AttestationServiceDeps): AttestationService {
  const { options, oneTimeCodes, rateLimiter, encryption, clock, random, claimSigner, attestationFlowStore: flows } = deps;
  const now = () => clock.now().getTime();
  const flowTtlMs = options.oauthFlowTtlSeconds * 1000;
  // Expired flows are deleted by the instance that starts a flow, at most once per flow lifetime.

  // the redirect pages' own URLs, by route name (asked at request time: the routes are mounted after the services are registered)
  const facebookRedirectUri = () => options.facebook?.redirectUri ?? deps.urls.to('attestations.facebook.redirect');
  const twitterCallbackUrl = () => options.twitter?.callbackUrl ?? deps.urls.to('attestations.twitter.redirect');
  const flowKeyHash = (provider: OAuthProvider, key: string) => encryption.digest('attestations.oauth-key', `${provider}\0${key}`);
  const grantHash = (provider: OAuthProvider, grant: string) => encryption.digest('attestations.oauth-grant', `${provider}\0${grant}`);
  const sealContext = (flowId: string) => `attestations.oauth-flow:${flowId}`;

  function phoneNumberOf({ phone, countryCallingCode }: PhoneNumberInput): string {
    const normalized = normalizePhoneNumber({ phone, countryCallingCode, defaultCountry: options.defaultPhoneCountry, check: options.phoneNumberCheck });
    return normalized ?? attestationErrors.raise('INVALID_PHONE_NUMBER');
  }

  const emailAddressOf = (email: string) => normalizeEmailAddress(email) ?? attestationErrors.raise('INVALID_EMAIL');

  /** Per client first, so one client flooding many targets cannot spend the targets' own budgets. */
  async function limitSend(clientIp: string, target: string): Promise<void> {
    await rateLimiter.enforce('attestations.send.client', clientIp);
    await rateLimiter.enforce('attestations.send.target', target);
  }

  async function issueCode(purpose: string, subject: string, ttlSeconds: number): Promise<string> {
    const issued = await oneTimeCodes.issue({ purpose, subject, ttlSeconds, maxAttempts: options.maxCodeAttempts, supersede: true });
    return issued.secret;
  }

  async function consumeCode(purpose: string, subject: string, code: string): Promise<void> {
    const result = await oneTimeCodes.consume(purpose, { subject }, code);
    if (!result.ok) throw attestationErrors.create(CONSUME_ERRORS[result.reason]);
  }

  async function attest(topic: AttestationTopic, identity: string): Promise<SignedClaim> {
    const claimType = CLAIM_TYPES[topic];
    const data = CLAIM_DATA[topic];
    return { 'claim-type': claimType, signature: await claimSigner.sign({ identity, claimType, data }), data };
  }

  async function startFlow(provider: OAuthProvider, key: string, secret?: SealedRequestToken): Promise<void> {
    const at = now();
    const id = random.uuid();
    await flows.insert({
      id,
      provider,
      keyHash: flowKeyHash(provider, key),
      sealedSecret: secret === undefined ? null : encryption.encrypt(JSON.stringify(secret), sealContext(id)),
      createdAt: at,
      expiresAt: at + flowTtlMs,
    });
  }

  const facebook = () => deps.facebookOAuth ?? attestationErrors.raise('FACEBOOK_NOT_CONFIGURED');
  const twitter = () => deps.twitterOAuth ?? attestationErrors.raise('TWITTER_NOT_CONFIGURED');

  return {
    signerAddress: claimSigner.address,

    async sendPhoneCode({ clientIp, method, locale, ...number }) {
      const phone = phoneNumberOf(number);
      if (method === 'call') throw attestationErrors.create('CALL_NOT_SUPPORTED');
      await limitSend(clientIp, `phone:${phone}`);
      const code = await issueCode(CODE_PURPOSES.phone, phone, options.phoneCodeTtlSeconds);
      const text = options.smsText({ code, expiresInMinutes: Math.ceil(options.phoneCodeTtlSeconds / 60), ...(locale === undefined ? {} : { locale }) });
      await deps.smsSender.send({ to: phone, text });
    },

    async verifyPhone({ identity, code, ...number }) {
      await consumeCode(CODE_PURPOSES.phone, phoneNumberOf(number), code);
      return attest('phone', identity);
    },

    async sendEmailCode({ email, clientIp }) {
      const address = emailAddressOf(email);
      await limitSend(clientIp, `email:${address}`);
      const code = await issueCode(CODE_PURPOSES.email, address, options.emailCodeTtlSeconds);
      const message = options.email({ code, expiresInMinutes: Math.ceil(options.emailCodeTtlSeconds / 60) });
      await deps.emailSender.send({ to: address, subject: message.subject, text: message.text });
    },

    async verifyEmail({ identity, email, code }) {
      await consumeCode(CODE_PURPOSES.email, emailAddressOf(email), code);
      return attest('email', identity);
    },

    async facebookAuthUrl({ clientIp }) {
      const provider = facebook();
      await rateLimiter.enforce('attestations.oauth.client', clientIp);
      const state = random.token(24);
      await startFlow('facebook', state);
      return provider.authorizationUrl({ redirectUri: facebookRedirectUri(), state });
    },

    facebookReturned: ({ state, code }) => flows.recordReturn('facebook', flowKeyHash('facebook', state), grantHash('facebook', code), now()),

    async verifyFacebook({ identity, code }) {
      const provider = facebook();
      const flow = await flows.claim('facebook', { grantHash: grantHash('facebook', code) }, now());
      if (!flow) throw attestationErrors.create('FACEBOOK_FLOW_NOT_FOUND');
      await provider.verifyCode({ code, redirectUri: facebookRedirectUri() });
      return attest('facebook', identity);
    },

    async twitterAuthUrl({ clientIp }) {
      const provider = twitter();
      await rateLimiter.enforce('attestations.oauth.client', clientIp);
      const requestToken = await provider.requestToken(twitterCallbackUrl());
      await startFlow('twitter', requestToken.token, requestToken);
      return provider.authenticateUrl(requestToken.token);
    },

    twitterReturned: ({ token, verifier }) => flows.recordReturn('twitter', flowKeyHash('twitter', token), grantHash('twitter', verifier), now()),

    async verifyTwitter({ identity, verifier, token }) {
      const provider = twitter();
      const grant = grantHash('twitter', verifier);
      const locator: FlowLocator = token === undefined ? { grantHash: grant } : { keyHash: flowKeyHash('twitter', token), grantHash: grant };
      const flow = await flows.claim('twitter', locator, now());
      if (!flow?.sealedSecret) throw attestationErrors.create('TWITTER_FLOW_NOT_FOUND');
      const requestToken = JSON.parse(encryption.decrypt(flow.sealedSecret, sealContext(flow.id)).toString('utf8')) as SealedRequestToken;
      await provider.verify({ ...requestToken, verifier });
      return attest('twitter', identity);
    },
  };
}
