import type { KitServices } from '@w3kit/core';
import { setGlobalConfig } from '@openid4vc/oauth2';
import { asFunction, asValue } from '@w3kit/core';
import type { KitPlugin } from '@w3kit/core';
import '@w3kit/auth';
import '@w3kit/did';
import type {} from '@w3kit/oidc';
import { createAuthorizationCodeExtension } from './authorization-code.js';
import { oid4vciErrors } from './errors.js';
import { createIssuanceService, type IssuanceService } from './issuance-service.js';
import { createIssuerKeys, type IssuerKeys } from './issuer-keys.js';
import { createKyselyNonceStore } from './kysely-nonce-store.js';
import { createKyselyOfferStore } from './kysely-offer-store.js';
import { createKyselyIssuerKeyStore } from './kysely-signing-key-store.js';
import { createKyselyStatusEntryStore } from './kysely-status-entry-store.js';
import { buildIssuerMetadata, type IssuerMetadata } from './metadata.js';
import type { NonceStore } from './nonce-store.js';
import { createOfferService, type OfferService } from './offer-service.js';
import type { OfferStore } from './offer-store.js';
import { resolveOid4vciOptions, type Oid4vciOptions, type ResolvedOid4vciOptions } from './oid4vci-config.js';
import { createProtocol, type Protocol } from './protocol.js';
import { oid4vciRouteGroups } from './routes.js';
import { oid4vciMigrations } from './schema.js';
import type { IssuerKeyStore } from './signing-key-store.js';
import type { StatusEntryStore } from './status-entry-store.js';

declare module '@w3kit/core' {
  interface KitServices {
    oid4vciOptions: ResolvedOid4vciOptions;
    oid4vciOfferStore: OfferStore;
    oid4vciNonceStore: NonceStore;
    oid4vciStatusEntryStore: StatusEntryStore;
    oid4vciIssuerKeyStore: IssuerKeyStore;
    oid4vciIssuerKeys: IssuerKeys;
    oid4vciProtocol: Protocol;
    oid4vciMetadata: IssuerMetadata;
    offerService: OfferService;
    issuanceService: IssuanceService;
  }
}

/** The route group of the protocol endpoints: its `api` name moves it (`config.basePaths.oid4vci`). */
export const OID4VCI_API = 'oid4vci';

/**
 * OpenID for Verifiable Credential Issuance 1.0 over the kit's accounts: credential offers with
 * the pre-authorized code flow (and an optional tx_code by SMS or email), SD-JWT VCs with a
 * Token Status List, and the did plugin's jwt_vc_json and ldp_vc credentials. Requires auth and
 * did; registers `sdJwtVcIssuer` for verifiers.
 */
export function oid4vci(options: Oid4vciOptions = {}) {
  const resolved = resolveOid4vciOptions(options);
  return {
    name: 'oid4vci',
    requires: ['auth', 'did'],
    migrations: oid4vciMigrations,
    errors: oid4vciErrors.catalog,
    uses: ['smsSender', 'emailSender'],
    rateLimits: {
      /** Offers created per creating account: each is a row, and with a tx_code an SMS or email. */
      'oid4vci.offer': { limit: 20, windowSeconds: 3600 },
      /** Offer documents and pages fetched per client IP. */
      'oid4vci.offer-fetch': { limit: 60, windowSeconds: 60 },
      /** Token requests per client IP (the tx_code tries of each offer are bounded besides). */
      'oid4vci.token': { limit: 30, windowSeconds: 60 },
      /** Nonces per client IP: each is a row until used or expired. */
      'oid4vci.nonce': { limit: 60, windowSeconds: 60 },
      /** Credential requests per client IP. */
      'oid4vci.credential': { limit: 60, windowSeconds: 60 },
      /** Credential requests per account of the access token (checked once the token verified). */
      'oid4vci.credential-account': { limit: 20, windowSeconds: 60 },
    },
    routes: oid4vciRouteGroups(resolved.basePath),
    register(container, { config, logger }) {
      const credentialIssuer = `${config.publicUrl}${config.mountPath}`;
      const baseUrl = `${credentialIssuer}${config.basePaths[OID4VCI_API] ?? resolved.basePath}`;
      if (!credentialIssuer.startsWith('https:')) {
        if (config.mode === 'production') throw new TypeError(`oid4vci: the credential issuer ${credentialIssuer} must be an https URL in production (set PUBLIC_URL to https://…)`);
        // the libraries refuse http URLs unless told: development and tests serve on http://127.0.0.1
        setGlobalConfig({ allowInsecureUrls: true });
        logger.debug({ credentialIssuer }, 'oid4vci: http credential issuer (development only): wallets outside tests will refuse it');
      }
      // the OP, when @w3kit/oidc is composed: known once every plugin registered (services resolve lazily)
      const openIdProvider = () => (container.hasRegistration('oidcProviderHost') ? container.resolve('oidcProviderHost') : undefined);
      container.register({
        oid4vciOptions: asValue(resolved),
        oid4vciOfferStore: asFunction(({ database }: KitServices) => createKyselyOfferStore(database)).singleton(),
        oid4vciNonceStore: asFunction(({ database }: KitServices) => createKyselyNonceStore(database)).singleton(),
        oid4vciStatusEntryStore: asFunction(({ database }: KitServices) => createKyselyStatusEntryStore(database)).singleton(),
        oid4vciIssuerKeyStore: asFunction(({ database }: KitServices) => createKyselyIssuerKeyStore(database)).singleton(),
        oid4vciIssuerKeys: asFunction(({ oid4vciIssuerKeyStore, encryption, clock }: KitServices) => createIssuerKeys({ store: oid4vciIssuerKeyStore, encryption, clock })).singleton(),
        oid4vciProtocol: asFunction(({ oid4vciIssuerKeys, random }: KitServices) => createProtocol({ keys: oid4vciIssuerKeys, random, jwksUri: `${baseUrl}/jwks` })).singleton(),
        oid4vciMetadata: asFunction(({ oid4vciProtocol }: KitServices) =>
          buildIssuerMetadata(oid4vciProtocol, { credentialIssuer, baseUrl, opIssuer: openIdProvider()?.issuer }, resolved),
        ).singleton(),
        offerService: asFunction(({ oid4vciMetadata, oid4vciProtocol, oid4vciOfferStore, accountService, accountStore, encryption, random, rateLimiter, smsSender, emailSender, clock }: KitServices) =>
          createOfferService({
            options: resolved,
            metadata: oid4vciMetadata,
            protocol: oid4vciProtocol,
            store: oid4vciOfferStore,
            accountService,
            accountStore,
            encryption,
            random,
            rateLimiter,
            smsSender,
            emailSender,
            clock,
          }),
        ).singleton(),
        issuanceService: asFunction(
          ({
            oid4vciMetadata,
            oid4vciProtocol,
            oid4vciIssuerKeys,
            oid4vciOfferStore,
            oid4vciNonceStore,
            oid4vciStatusEntryStore,
            accountService,
            encryption,
            random,
            rateLimiter,
            clock,
          }: KitServices) =>
            createIssuanceService({
              options: resolved,
              metadata: oid4vciMetadata,
              protocol: oid4vciProtocol,
              keys: oid4vciIssuerKeys,
              offers: oid4vciOfferStore,
              nonces: oid4vciNonceStore,
              entries: oid4vciStatusEntryStore,
              accountService,
              credentialService: () => container.resolve('credentialService'),
              encryption,
              random,
              rateLimiter,
              clock,
              verifyOpAccessToken: openIdProvider() && ((token) => openIdProvider()!.verifyAccessToken(token, oid4vciMetadata.credentialIssuer)),
            }),
        ).singleton(),
        // read by @w3kit/oidc only, when it is composed
        oidcProviderExtension: asFunction(({ oid4vciMetadata, oid4vciOfferStore, encryption, clock }: KitServices) =>
          createAuthorizationCodeExtension({ options: resolved, metadata: oid4vciMetadata, offers: oid4vciOfferStore, encryption, clock }),
        ).singleton(),
        sdJwtVcIssuer: asFunction(({ issuanceService }: KitServices) => issuanceService).singleton(),
      });
    },
    housekeeping: async ({ oid4vciOfferStore, oid4vciNonceStore, clock }) => {
      const now = clock.now();
      return (await oid4vciOfferStore.purgeExpired(now)) + (await oid4vciNonceStore.purgeExpired(now));
    },
    async onReady(services) {
      await services.oid4vciIssuerKeys.ensureKey();
    },
  } satisfies KitPlugin;
}

export { oid4vciErrors } from './errors.js';
export { CONFIGURATIONS } from './metadata.js';
export type { Oid4vciOptions, ResolvedOid4vciOptions, WalletClient } from './oid4vci-config.js';
export type { OfferService, CreatedOffer, NewOfferRequest, TxCodeChannel } from './offer-service.js';
export type { IssuanceService } from './issuance-service.js';
export type { OfferStore, OfferRecord } from './offer-store.js';
export type { NonceStore } from './nonce-store.js';
export type { StatusEntryStore, IssuedSdJwtVc } from './status-entry-store.js';
export type { IssuerKeys, IssuerSigningKey } from './issuer-keys.js';
export { didKeyOf } from './did-key.js';
