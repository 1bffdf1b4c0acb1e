import { asFunction, asValue, KitConfigError, type KitServices, type KitPlugin } from '@w3kit/core';
import { createAttestationService, type AttestationService } from './attestation-service.js';
import { attestationRateLimits, resolveAttestationsOptions, type AttestationsOptions, type ResolvedAttestationsOptions } from './attestations-config.js';
import { createClaimSigner, TEST_SIGNER_ADDRESS, type ClaimSigner } from './claim-signer.js';
import { attestationErrors } from './errors.js';
import { createFacebookOAuth, type FacebookOAuth } from './facebook-oauth.js';
import { createKyselyOAuthFlowStore } from './kysely-oauth-flow-store.js';
import type { OAuthFlowStore } from './oauth-flow-store.js';
import { attestationRoutes } from './routes.js';
import { attestationMigrations } from './schema.js';
import { createTwitterOAuth, type TwitterOAuth } from './twitter-oauth.js';

declare module '@w3kit/core' {
  interface KitServices {
    attestationService: AttestationService;
    attestationOptions: ResolvedAttestationsOptions;
    attestationFlowStore: OAuthFlowStore;
    claimSigner: ClaimSigner;
    /** Null when no Facebook app is configured. */
    facebookOAuth: FacebookOAuth | null;
    /** Null when no Twitter app is configured. */
    twitterOAuth: TwitterOAuth | null;
  }
}

/**
 * Origin-style attestations: phone and email codes, Facebook and Twitter sign-ins, each
 * answered with an ERC725 claim signed by the attestation key. Serves the Origin attestations document's endpoints
 * under `/api/attestations` and the providers' redirect pages under `/redirects`.
 */
export function attestations(options: AttestationsOptions) {
  const resolved = resolveAttestationsOptions(options);
  // fail at composition, not at the first request, on a key that cannot sign
  const signer = createClaimSigner(resolved.signerKey, resolved.signatureForm);
  return {
    name: 'attestations',
    migrations: attestationMigrations,
    routes: attestationRoutes,
    errors: attestationErrors.catalog,
    rateLimits: attestationRateLimits,
    uses: ['smsSender', 'emailSender'],
    // expired OAuth flows go on the kit's housekeeping sweep (codes are core's and go on core's)
    housekeeping: ({ attestationFlowStore, clock }) => attestationFlowStore.purgeExpired(clock.now().getTime()),
    register(container, { config }) {
      if (config.mode === 'production') {
        const problems: string[] = [];
        if (signer.address === TEST_SIGNER_ADDRESS) problems.push('attestations.signerKey: the well-known test key 0x…01 cannot sign claims in production; configure a secret key');
        // with '*', any page that opens the redirect page (a phishing site) is handed the code or verifier
        if (resolved.openerOrigin === '*')
          problems.push("attestations.openerOrigin: required in production (the dapp's origin, e.g. https://dapp.example), so only the dapp receives the redirect pages' message");
        if (problems.length > 0) throw new KitConfigError(problems);
      }
      container.register({
        attestationOptions: asValue(resolved),
        claimSigner: asValue(signer),
        attestationFlowStore: asFunction(({ database }: KitServices) => createKyselyOAuthFlowStore(database)).singleton(),
        facebookOAuth: asValue(resolved.facebook ? createFacebookOAuth(resolved.facebook) : null),
        // created here so bad settings fail at startup; the cradle hands out clock and random at each call
        twitterOAuth: asValue(resolved.twitter ? createTwitterOAuth(resolved.twitter, container.cradle) : null),
        attestationService: asFunction((c: KitServices) =>
          createAttestationService({
            config: c.config,
            urls: c.urls,
            options: c.attestationOptions,
            oneTimeCodes: c.oneTimeCodes,
            rateLimiter: c.rateLimiter,
            smsSender: c.smsSender,
            emailSender: c.emailSender,
            encryption: c.encryption,
            clock: c.clock,
            random: c.random,
            claimSigner: c.claimSigner,
            attestationFlowStore: c.attestationFlowStore,
            facebookOAuth: c.facebookOAuth,
            twitterOAuth: c.twitterOAuth,
          }),
        ).singleton(),
      });
    },
  } satisfies KitPlugin;
}

export {
  CLAIM_TYPES,
  CLAIM_DATA,
  CLAIM_SIGNATURE_FORMS,
  claimHash,
  recoverClaimSigner,
  createClaimSigner,
  type Claim,
  type ClaimSigner,
  type ClaimSignatureForm,
  type SignedClaim,
  type AttestationTopic,
} from './claim-signer.js';
export { attestationRateLimits, type AttestationsOptions, type CodeMessageInput, type ResolvedAttestationsOptions } from './attestations-config.js';
export { attestationErrors } from './errors.js';
export { CODE_PURPOSES, type AttestationService } from './attestation-service.js';
export { normalizeEmailAddress, normalizePhoneNumber, type PhoneNumberCheck } from './contact-addresses.js';
export { createFacebookOAuth, type FacebookOAuth, type FacebookOAuthConfig } from './facebook-oauth.js';
export { createTwitterOAuth, type TwitterOAuth, type TwitterOAuthConfig } from './twitter-oauth.js';
export { oauth1AuthorizationHeader, signatureBaseString, hmacSha1Signature, percentEncode, type OAuth1Credentials, type OAuth1Request } from './oauth1-signature.js';
export type { OAuthFlowStore, OAuthFlow, OAuthProvider, FlowLocator, NewOAuthFlow } from './oauth-flow-store.js';
export { createKyselyOAuthFlowStore } from './kysely-oauth-flow-store.js';
export { createMemoryOAuthFlowStore } from './memory-oauth-flow-store.js';
export { attestationMigrations, type AttestationTables } from './schema.js';
