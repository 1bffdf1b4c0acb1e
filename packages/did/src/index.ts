import { asFunction, asValue, type KitServices, type KitPlugin } from '@w3kit/core';
import { createAppLoginService, type AppLoginService } from './app-login-service.js';
import type { AppLoginStore } from './app-login-store.js';
import { createCredentialService, type CredentialService } from './credential-service.js';
import type { CredentialStore } from './credential-store.js';
import type { CustodialKeyStore } from './custodial-key-store.js';
import { resolveDidOptions, type DidOptions, type ResolvedDidOptions } from './did-config.js';
import { createDidResolver, type KitDidResolver } from './did-resolver.js';
import { createJwtVerifier, type JwtVerifier } from './jwt-verifier.js';
import { createDidService, type DidService } from './did-service.js';
import { createDocumentLoader, type DocumentLoader } from './document-loader.js';
import { didErrors } from './errors.js';
import { finenexRouteGroup } from './finenex-routes.js';
import type { IdentifierStore } from './identifier-store.js';
import type { KitKeyStore } from './kit-key-store.js';
import { createKitKeyring, type KitKeyring } from './kit-keyring.js';
import { createKyselyAppLoginStore } from './kysely-app-login-store.js';
import { createKyselyCredentialStore } from './kysely-credential-store.js';
import { createKyselyCustodialKeyStore } from './kysely-custodial-key-store.js';
import { createKyselyIdentifierStore } from './kysely-identifier-store.js';
import { createKyselyKitKeyStore } from './kysely-kit-key-store.js';
import { createKyselyOrganizationKeyStore } from './kysely-organization-key-store.js';
import { createKyselyStatusListStore } from './kysely-status-list-store.js';
import { createKyselyUsedPresentationStore } from './kysely-used-presentation-store.js';
import { createOrganizationIssuers, type OrganizationIssuers } from './organization-issuers.js';
import type { OrganizationKeyStore } from './organization-key-store.js';
import { createPresentationService, type PresentationService } from './presentation-service.js';
import { didMigrations } from './schema.js';
import { createStatusListService, type StatusListService } from './status-list-service.js';
import type { StatusListStore } from './status-list-store.js';
import type { UsedPresentationStore } from './used-presentation-store.js';
import { vcApiRouteGroup } from './vc-api-routes.js';
import { createVerificationGuard, type VerificationGuard } from './verification-guard.js';

declare module '@w3kit/core' {
  interface KitServices {
    didOptions: ResolvedDidOptions;
    didErrors: typeof didErrors;
    kitKeyStore: KitKeyStore;
    organizationKeyStore: OrganizationKeyStore;
    organizationIssuers: OrganizationIssuers;
    verificationGuard: VerificationGuard;
    custodialKeyStore: CustodialKeyStore;
    identifierStore: IdentifierStore;
    statusListStore: StatusListStore;
    credentialStore: CredentialStore;
    appLoginStore: AppLoginStore;
    usedPresentationStore: UsedPresentationStore;
    didResolver: KitDidResolver;
    jwtVerifier: JwtVerifier;
    documentLoader: DocumentLoader;
    kitKeyring: KitKeyring;
    statusListService: StatusListService;
    didService: DidService;
    credentialService: CredentialService;
    presentationService: PresentationService;
    appLoginService: AppLoginService;
  }
}

/**
 * DIDs and verifiable credentials: the Finenex DID, VC and VP endpoints and VP login under
 * `/v2`, and the W3C VC-API. JWT credentials (JwtProof2020, ES256K, did:ethr) by default, Data
 * Integrity (eddsa-rdfc-2022, ecdsa-rdfc-2019, Ed25519Signature2020, did:key) on request; DIDs
 * resolve and JSON-LD contexts load offline. Uses auth's `authenticator` and `accountDirectory`.
 */
export function did(options: DidOptions = {}) {
  const resolved = resolveDidOptions(options);
  return {
    name: 'did',
    requires: ['auth'],
    migrations: didMigrations,
    errors: didErrors.catalog,
    rateLimits: {
      /** Custodial addresses created per account (or per client IP without a token). */
      'did.create-address': { limit: 30, windowSeconds: 3600 },
      /** Credentials issued per account through create-vc. */
      'did.create-vc': { limit: 60, windowSeconds: 60 },
      /** VP logins tried per client IP. */
      'did.vp-login': { limit: 60, windowSeconds: 60 },
      /** Website login requests per client IP. */
      'did.app-login.request': { limit: 60, windowSeconds: 60 },
      /**
       * Credentials and presentations verified per client IP (verify-vc, verify-vp, VC-API verify):
       * unauthenticated, and a Data Integrity proof costs milliseconds of CPU.
       */
      'did.verify': { limit: 120, windowSeconds: 60 },
    },
    routes: [finenexRouteGroup(resolved), vcApiRouteGroup()],
    register(container, { config, logger }) {
      // whoever sees the QR code could collect the login first: production requires the resultToken unless told otherwise
      const effective: ResolvedDidOptions = { ...resolved, requireAppLoginResultToken: resolved.requireAppLoginResultToken ?? config.mode === 'production' };
      if (config.mode === 'production' && !effective.requireAppLoginResultToken) {
        logger.warn('did: requireAppLoginResultToken is false in production: anyone who sees a website login’s QR code or requestId can collect or cancel that login');
      }
      container.register({
        didOptions: asValue(effective),
        didErrors: asValue(didErrors),
        kitKeyStore: asFunction(({ database }: KitServices) => createKyselyKitKeyStore(database)).singleton(),
        organizationKeyStore: asFunction(({ database }: KitServices) => createKyselyOrganizationKeyStore(database)).singleton(),
        organizationIssuers: asFunction(({ organizationKeyStore, encryption, random, clock, didResolver }: KitServices) =>
          createOrganizationIssuers({ store: organizationKeyStore, encryption, random, clock, resolver: didResolver }),
        ).singleton(),
        verificationGuard: asFunction(({ rateLimiter }: KitServices) => createVerificationGuard({ rateLimiter, options: effective })).singleton(),
        custodialKeyStore: asFunction(({ database }: KitServices) => createKyselyCustodialKeyStore(database)).singleton(),
        identifierStore: asFunction(({ database }: KitServices) => createKyselyIdentifierStore(database)).singleton(),
        statusListStore: asFunction(({ database }: KitServices) => createKyselyStatusListStore(database)).singleton(),
        credentialStore: asFunction(({ database }: KitServices) => createKyselyCredentialStore(database)).singleton(),
        appLoginStore: asFunction(({ database }: KitServices) => createKyselyAppLoginStore(database)).singleton(),
        usedPresentationStore: asFunction(({ database }: KitServices) => createKyselyUsedPresentationStore(database)).singleton(),
        didResolver: asFunction(({ clock }: KitServices) =>
          createDidResolver({ chainId: resolved.chainId, networks: resolved.networks, ethrRegistry: resolved.ethrRegistry, now: () => clock.now().getTime() }),
        ).singleton(),
        jwtVerifier: asFunction(({ didResolver, clock }: KitServices) =>
          createJwtVerifier({ resolver: didResolver, cacheSize: resolved.jwtKeyCacheSize, ttlSeconds: resolved.jwtKeyCacheTtlSeconds, now: () => clock.now().getTime() }),
        ).singleton(),
        documentLoader: asFunction(({ didResolver }: KitServices) => createDocumentLoader(didResolver)).singleton(),
        kitKeyring: asFunction(({ kitKeyStore, encryption, random, clock, didResolver }: KitServices) =>
          createKitKeyring({ store: kitKeyStore, encryption, random, clock, resolver: didResolver, issuerAlias: resolved.issuerAlias, verifierAlias: resolved.verifierAlias }),
        ).singleton(),
        statusListService: asFunction(({ statusListStore, credentialStore, kitKeyring, organizationIssuers, documentLoader, random, clock, urls }: KitServices) =>
          createStatusListService({ statusListStore, credentialStore, keyring: kitKeyring, organizationIssuers, loader: documentLoader, random, clock, urls, length: resolved.statusListLength }),
        ).singleton(),
        didService: asFunction(({ custodialKeyStore, identifierStore, kitKeyring, organizationIssuers, didResolver, accountDirectory, encryption, random, clock }: KitServices) =>
          createDidService({ custodialKeyStore, identifierStore, keyring: kitKeyring, organizationIssuers, resolver: didResolver, accountDirectory, encryption, random, clock }),
        ).singleton(),
        credentialService: asFunction(
          ({ credentialStore, statusListService, kitKeyring, organizationIssuers, didResolver, jwtVerifier, documentLoader, accountDirectory, clock, random }: KitServices) =>
            createCredentialService({
              credentialStore,
              statusLists: statusListService,
              keyring: kitKeyring,
              organizationIssuers,
              resolver: didResolver,
              jwtVerifier,
              loader: documentLoader,
              accountDirectory,
              clock,
              random,
              options: effective,
            }),
        ).singleton(),
        presentationService: asFunction(({ didService, credentialService, kitKeyring, jwtVerifier, documentLoader, clock }: KitServices) =>
          createPresentationService({ didService, credentialService, keyring: kitKeyring, jwtVerifier, loader: documentLoader, clock }),
        ).singleton(),
        appLoginService: asFunction(({ appLoginStore, usedPresentationStore, credentialStore, presentationService, kitKeyring, accountDirectory, clock, random }: KitServices) =>
          createAppLoginService({ appLoginStore, usedPresentationStore, credentialStore, presentationService, keyring: kitKeyring, accountDirectory, clock, random, options: effective }),
        ).singleton(),
      });
    },
    async onReady(services) {
      await services.kitKeyring.ensureKeys();
    },
    // Logins whose wait and result time ended an hour ago, and used presentations too old to
    // log in anyway, are of no use to anyone.
    housekeeping: async ({ appLoginStore, usedPresentationStore, clock }) => {
      const now = clock.now();
      await Promise.all([appLoginStore.purgeExpired(new Date(now.getTime() - 3600_000)), usedPresentationStore.purgeExpired(now)]);
    },
  } satisfies KitPlugin;
}

export { didErrors } from './errors.js';
export { STYLE as DEMO_PAGE_STYLE, STYLE_HASH as DEMO_PAGE_STYLE_HASH } from './login-demo-page.js';
export { CREDENTIAL_FORMATS, type CredentialFormat, type DataModel, type DidOptions, type EthrRegistryOptions, type ResolvedDidOptions } from './did-config.js';
export { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions, type JwtVerifyOptions, type VerifiedJwt } from './jwt-verifier.js';
export { createDidResolver, DidResolutionError, type DidResolverOptions, type KitDidResolver } from './did-resolver.js';
export { bundledContexts, createDocumentLoader, DocumentLoaderError, type DocumentLoader, type RemoteDocument } from './document-loader.js';
export type { AppLoginService, LoginRequest, RejectionReason } from './app-login-service.js';
export type { AppLoginRecord, AppLoginState, AppLoginStore } from './app-login-store.js';
export type { CredentialService, CreateVcRequest, IssueCredentialRequest, RevokedCredential } from './credential-service.js';
export type { CredentialStore, IssuedCredentialRecord } from './credential-store.js';
export type { CustodialKeyRecord, CustodialKeyStore } from './custodial-key-store.js';
export type { CreatedAddress, DidService, IdentifierView } from './did-service.js';
export type { IdentifierRecord, IdentifierStore, KeySource } from './identifier-store.js';
export type { KeyType, KitKeyRecord, KitKeyRole, KitKeyStore } from './kit-key-store.js';
export type { IssuerKey, KitIdentity, KitKeyring } from './kit-keyring.js';
export type { OrganizationIssuers } from './organization-issuers.js';
export type { OrganizationKeyRecord, OrganizationKeyStore } from './organization-key-store.js';
export type { VerificationGuard } from './verification-guard.js';
export type { CreateVpRequest, PresentationExpectations, PresentationService } from './presentation-service.js';
export type { StatusEntry, StatusListService } from './status-list-service.js';
export type { StatusListRecord, StatusListStore } from './status-list-store.js';
export type { UsedPresentationStore } from './used-presentation-store.js';
export type { CredentialVerification, PresentationVerification, Problem, ProblemCode, ProofFormat, StatusCheck } from './verification.js';
