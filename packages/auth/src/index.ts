import { asFunction, asValue } from 'awilix';
import type { KitPlugin } from '@w3kit/core';
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
import { createKyselySigningKeyStore } from './kysely-signing-key-store.js';
import { authRouteGroups } from './routes.js';
import { authMigrations } from './schema.js';
import type { SigningKeyStore } from './signing-key-store.js';
import { createTokenService, type TokenService } from './token-service.js';
import { web3connectVerificationRoutes } from './verification-routes.js';
import { createVerificationService, type VerificationService } from './verification-service.js';
import { createWalletService, type WalletService } from './wallet-service.js';

declare module '@w3kit/core' {
  interface KitCradle {
    authOptions: ResolvedAuthOptions;
    authErrors: typeof authErrors;
    accountStore: AccountStore;
    apiKeyStore: ApiKeyStore;
    signingKeyStore: SigningKeyStore;
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
    },
    uses: ['smsSender'],
    routes: [...authRouteGroups({ web3connect: [...web3connectVerificationRoutes, ...associationApiRoutes] }), associationRouteGroup()],
    register(container, { config }) {
      container.register({
        authOptions: asValue(resolved),
        authErrors: asValue(authErrors),
        accountStore: asFunction(({ database }) => createKyselyAccountStore(database)).singleton(),
        apiKeyStore: asFunction(({ database }) => createKyselyApiKeyStore(database)).singleton(),
        signingKeyStore: asFunction(({ database }) => createKyselySigningKeyStore(database)).singleton(),
        walletService: asFunction(({ encryption, clock }) => createWalletService({ encryption, clock })).singleton(),
        tokenService: asFunction(({ signingKeyStore, encryption, clock, random, logger }) =>
          createTokenService({
            signingKeyStore,
            encryption,
            clock,
            random,
            logger,
            issuer: config.publicUrl,
            ttlSeconds: resolved.accessTokenTtlSeconds,
            algorithm: resolved.signingAlgorithm,
          }),
        ).singleton(),
        apiKeyService: asFunction(({ apiKeyStore, accountStore, clock, random }) => createApiKeyService({ apiKeyStore, accountStore, clock, random })).singleton(),
        accountService: asFunction(({ accountStore, apiKeyService, tokenService, walletService, secretHasher, rateLimiter, clock, random }) =>
          createAccountService({ accountStore, apiKeyService, tokenService, walletService, secretHasher, rateLimiter, clock, random }),
        ).singleton(),
        associationService: asFunction(({ accountService, accountStore, apiKeyService, oneTimeCodes, clock }) =>
          createAssociationService({ config, accountService, accountStore, apiKeyService, oneTimeCodes, clock, ticketTtlSeconds: resolved.associationTicketTtlSeconds }),
        ).singleton(),
        authenticator: asFunction(({ tokenService }) => createAuthenticator({ tokenService })).singleton(),
        accountDirectory: asFunction(({ accountService }) => accountService).singleton(),
        txtResolver: asFunction(() => createDnsTxtResolver({ servers: resolved.dnsServers, timeoutMs: resolved.dnsTimeoutMs })).singleton(),
        verificationService: asFunction(({ accountStore, oneTimeCodes, smsSender, rateLimiter, txtResolver, clock, random }) =>
          createVerificationService({ accountStore, oneTimeCodes, smsSender, rateLimiter, txtResolver, clock, random, options: resolved }),
        ).singleton(),
      });
    },
    async onReady(services) {
      await services.tokenService.ensureSigningKey();
    },
  } satisfies KitPlugin;
}

export { authErrors } from './errors.js';
export { authenticatedAccount, InvalidAccessTokenError } from './authenticated-account.js';
export type { AuthOptions, ResolvedAuthOptions } from './auth-config.js';
export type { AccountService, NewEndUser, NewOrganization } from './account-service.js';
export type { AccountRecord, AccountStore, WalletRecord } from './account-store.js';
export type { ApiKeyService } from './api-key-service.js';
export type { AssociationService, AssociatingUser, OpenTicket } from './association-service.js';
export type { TokenService, AccessTokenClaims } from './token-service.js';
export type { WalletService } from './wallet-service.js';
export { createDnsTxtResolver, TxtLookupError, type TxtResolver, type DnsTxtResolverOptions } from './dns-txt-resolver.js';
export type { VerificationService } from './verification-service.js';
