import { asFunction, asValue, type KitServices, type KitPlugin } from '@w3kit/core';
import { createAccountService, type AccountService } from './account-service.js';
import type { AccountStore } from './account-store.js';
import { createApiKeyService, type ApiKeyService } from './api-key-service.js';
import type { ApiKeyStore } from './api-key-store.js';
import { associationApiRoutes, associationRouteGroup } from './association-routes.js';
import { createAssociationService, type AssociationService } from './association-service.js';
import { resolveAuthOptions, type AuthOptions, type ResolvedAuthOptions } from './auth-config.js';
import { createAuthenticator } from './authenticator.js';
import { createDnsTxtResolver, type TxtResolver } from './dns-txt-resolver.js';
import { authErrors } from './errors.js';
import { createKyselyAccountStore } from './kysely-account-store.js';
import { createKyselyApiKeyStore } from './kysely-api-key-store.js';
import { createKyselySessionStore } from './kysely-session-store.js';
import { createKyselySigningKeyStore } from './kysely-signing-key-store.js';
import { authRouteGroups } from './routes.js';
import { authMigrations } from './schema.js';
import type { SessionStore } from './session-store.js';
import type { SigningKeyStore } from './signing-key-store.js';
import { createTokenService, type TokenService } from './token-service.js';
import { web3connectVerificationRoutes } from './verification-routes.js';
import { createVerificationService, type VerificationService } from './verification-service.js';
import { createWalletService, type WalletService } from './wallet-service.js';

declare module '@w3kit/core' {
  interface KitServices {
    authOptions: ResolvedAuthOptions;
    authErrors: typeof authErrors;
    accountStore: AccountStore;
    apiKeyStore: ApiKeyStore;
    signingKeyStore: SigningKeyStore;
    sessionStore: SessionStore;
    walletService: WalletService;
    tokenService: TokenService;
    apiKeyService: ApiKeyService;
    accountService: AccountService;
    associationService: AssociationService;
    txtResolver: TxtResolver;
    verificationService: VerificationService;
  }
}

/**
 * Accounts and login: organizations and end users, access tokens (JWT, rotatable keys, JWKS),
 * API key secrets, ID wallets, and the Web3Connect and Finenex account endpoints. Registers the
 * `authenticator` and `accountDirectory` other plugins use.
 */
export function auth(options: AuthOptions = {}) {
  const resolved = resolveAuthOptions(options);
  return {
    name: 'auth',
    migrations: authMigrations,
    errors: authErrors.catalog,
    rateLimits: {
      /** Password tries per account (login id and email together), or per normalized login that names none. */
      'auth.login': { limit: 10, windowSeconds: 600 },
      /** Password tries per client IP, whatever the login: each costs a memory-hard hash. */
      'auth.login.ip': { limit: 30, windowSeconds: 60 },
      /** API key secret exchanges per client IP. */
      'auth.api-key': { limit: 60, windowSeconds: 60 },
      /** Account sign-ups on the association page per client IP. */
      'auth.sign-up': { limit: 20, windowSeconds: 3600 },
      /** Phone verification codes sent to one number. */
      'auth.phone.number': { limit: 3, windowSeconds: 600 },
      /** Phone verification codes one account asks for. */
      'auth.phone.account': { limit: 10, windowSeconds: 3600 },
      /** Domain TXT checks per organization. */
      'auth.domain.check': { limit: 10, windowSeconds: 60 },
      /** Email verification codes one account asks for (`verify/email/step1`). */
      'auth.email.account': { limit: 5, windowSeconds: 3600 },
      /** Emails sent to one address, whoever asks: verification codes and association sign-ups (codes or "someone tried" notices). */
      'auth.email.address': { limit: 3, windowSeconds: 600 },
      /** Imports (`account/import`) per organization, found or not: bounds how fast an organization can try addresses. */
      'auth.import': { limit: 60, windowSeconds: 3600 },
    },
    uses: ['smsSender', 'emailSender'],
    routes: [...authRouteGroups({ web3connect: [...web3connectVerificationRoutes, ...associationApiRoutes] }), associationRouteGroup()],
    register(container, { config }) {
      container.register({
        authOptions: asValue(resolved),
        authErrors: asValue(authErrors),
        accountStore: asFunction(({ database }: KitServices) => createKyselyAccountStore(database)).singleton(),
        apiKeyStore: asFunction(({ database }: KitServices) => createKyselyApiKeyStore(database)).singleton(),
        signingKeyStore: asFunction(({ database }: KitServices) => createKyselySigningKeyStore(database)).singleton(),
        sessionStore: asFunction(({ database }: KitServices) => createKyselySessionStore(database)).singleton(),
        walletService: asFunction(({ encryption, clock }: KitServices) => createWalletService({ encryption, clock })).singleton(),
        tokenService: asFunction(({ signingKeyStore, sessionStore, encryption, clock, random, logger }: KitServices) =>
          createTokenService({
            signingKeyStore,
            sessionStore,
            encryption,
            clock,
            random,
            logger,
            issuer: config.publicUrl,
            ttlSeconds: resolved.accessTokenTtlSeconds,
            sessionLifetimeSeconds: resolved.sessionLifetimeSeconds,
            algorithm: resolved.signingAlgorithm,
          }),
        ).singleton(),
        apiKeyService: asFunction(({ apiKeyStore, accountStore, clock, random }: KitServices) => createApiKeyService({ apiKeyStore, accountStore, clock, random })).singleton(),
        accountService: asFunction(({ accountStore, apiKeyService, tokenService, walletService, secretHasher, rateLimiter, emailSender, logger, clock, random }: KitServices) =>
          createAccountService({ accountStore, apiKeyService, tokenService, walletService, secretHasher, rateLimiter, emailSender, logger, clock, random }),
        ).singleton(),
        associationService: asFunction((c: KitServices) =>
          createAssociationService({
            config,
            urls: c.urls,
            accountService: c.accountService,
            accountStore: c.accountStore,
            apiKeyService: c.apiKeyService,
            oneTimeCodes: c.oneTimeCodes,
            secretHasher: c.secretHasher,
            rateLimiter: c.rateLimiter,
            emailSender: c.emailSender,
            clock: c.clock,
            // registered by the siwe plugin when it is composed (plugins never import each other)
            siweVerifier: container.hasRegistration('siweVerifier') ? c.siweVerifier : undefined,
            options: resolved,
          }),
        ).singleton(),
        authenticator: asFunction(({ tokenService }: KitServices) => createAuthenticator({ tokenService })).singleton(),
        accountDirectory: asFunction(({ accountService }: KitServices) => accountService).singleton(),
        txtResolver: asFunction(() => createDnsTxtResolver({ servers: resolved.dnsServers, timeoutMs: resolved.dnsTimeoutMs })).singleton(),
        verificationService: asFunction(({ accountStore, oneTimeCodes, smsSender, emailSender, rateLimiter, txtResolver, logger, clock, random }: KitServices) =>
          createVerificationService({ accountStore, oneTimeCodes, smsSender, emailSender, rateLimiter, txtResolver, logger, clock, random, options: resolved }),
        ).singleton(),
      });
    },
    // ended sessions (past their absolute end) verify nothing any more
    housekeeping: ({ tokenService }) => tokenService.purgeEndedSessions(),
    async onReady(services) {
      await services.tokenService.ensureSigningKey();
    },
  } satisfies KitPlugin;
}

export { authErrors } from './errors.js';
// The page style of the association page, for other plugins' server-rendered pages (the OIDC login).
export { layout as renderKitPage, pageHeaders as kitPageHeaders, escapeHtml, postedWalletSignIn, walletSignInForm, walletSignInScript } from './association-page.js';
export { authenticatedAccount, InvalidAccessTokenError } from './authenticated-account.js';
export type { AuthOptions, ResolvedAuthOptions } from './auth-config.js';
export type { AccountService, AssociationView, NewEndUser, NewOrganization } from './account-service.js';
export type { AccountRecord, AccountStore, AssociationRecord, AssociationVia, WalletRecord } from './account-store.js';
export type { ApiKeyService } from './api-key-service.js';
export type { AssociationService, AssociatingUser, OpenTicket, PendingSignUp } from './association-service.js';
export type { TokenService, AccessTokenClaims, IssuedToken } from './token-service.js';
export type { SessionRecord, SessionState, SessionStore } from './session-store.js';
export type { WalletService } from './wallet-service.js';
export { createDnsTxtResolver, TxtLookupError, type TxtResolver, type DnsTxtResolverOptions } from './dns-txt-resolver.js';
export type { VerificationService } from './verification-service.js';
