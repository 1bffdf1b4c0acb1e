import { asFunction, asValue, type KitServices, type KitPlugin } from '@w3kit/core';
import '@w3kit/auth';
import { createOidcClientService, type OidcClientService } from './client-service.js';
import { oidcErrors } from './errors.js';
import { interactionRoutes } from './interaction-routes.js';
import { createKyselyPayloadStore } from './kysely-payload-store.js';
import { createKyselyOidcSigningKeyStore } from './kysely-signing-key-store.js';
import { createOidcLoginService, type OidcLoginService } from './login-service.js';
import { resolveOidcOptions, type OidcOptions, type ResolvedOidcOptions } from './oidc-config.js';
import type { OidcPayloadStore } from './payload-store.js';
import { protocolRoutes } from './protocol-routes.js';
import type { OidcProviderExtension } from './provider-extension.js';
import { createOidcProviderHost, type OidcProviderHost } from './provider-host.js';
import { oidcMigrations } from './schema.js';
import type { OidcSigningKeyStore } from './signing-key-store.js';
import { createOidcSigningKeys, type OidcSigningKeys } from './signing-keys.js';

declare module '@w3kit/core' {
  interface KitServices {
    oidcOptions: ResolvedOidcOptions;
    oidcPayloadStore: OidcPayloadStore;
    oidcSigningKeyStore: OidcSigningKeyStore;
    oidcSigningKeys: OidcSigningKeys;
    oidcClientService: OidcClientService;
    oidcLoginService: OidcLoginService;
    oidcProviderHost: OidcProviderHost;
    /** Registered by a plugin that extends the OP (oid4vci); absent otherwise. */
    oidcProviderExtension: OidcProviderExtension;
  }
}

/** The route group of the OP: its `api` name moves it (`config.basePaths.oidc`). */
export const OIDC_API = 'oidc';

/**
 * An OpenID Connect provider over the kit's accounts: node-oidc-provider mounted under
 * `/oidc`, every piece of its state in the kit's database, sign-in pages rendered by the kit.
 */
export function oidc(options: OidcOptions = {}) {
  const resolved = resolveOidcOptions(options);
  return {
    name: 'oidc',
    requires: ['auth'],
    migrations: oidcMigrations,
    errors: oidcErrors.catalog,
    rateLimits: {
      /** Sign-in posts on the OP's pages per client IP (password, SIWE, wallet); auth.login bounds each login id besides. */
      'oidc.login': { limit: 30, windowSeconds: 600 },
      /** Token, revocation and introspection requests per client IP. */
      'oidc.token': { limit: 300, windowSeconds: 60 },
      /** Dynamic registrations per client IP (when on). */
      'oidc.registration': { limit: 10, windowSeconds: 3600 },
    },
    routes: [{ api: OIDC_API, basePath: resolved.basePath, format: 'oauth', routes: [...protocolRoutes(resolved), ...interactionRoutes] }],
    register(container, { config }) {
      container.register({
        oidcOptions: asValue(resolved),
        oidcPayloadStore: asFunction(({ database }: KitServices) => createKyselyPayloadStore(database)).singleton(),
        oidcSigningKeyStore: asFunction(({ database }: KitServices) => createKyselyOidcSigningKeyStore(database)).singleton(),
        oidcSigningKeys: asFunction(({ oidcSigningKeyStore, encryption, clock }: KitServices) =>
          createOidcSigningKeys({ store: oidcSigningKeyStore, encryption, clock, algorithm: resolved.signingAlgorithm }),
        ).singleton(),
        oidcClientService: asFunction(({ oidcPayloadStore, clock, random }: KitServices) =>
          createOidcClientService({ store: oidcPayloadStore, clock, random, production: config.mode === 'production' }),
        ).singleton(),
        oidcProviderHost: asFunction(({ oidcPayloadStore, oidcSigningKeys, encryption, accountDirectory, accountService, clock, logger }: KitServices) =>
          createOidcProviderHost({
            config,
            options: resolved,
            store: oidcPayloadStore,
            signingKeys: oidcSigningKeys,
            encryption,
            accountDirectory,
            accountService,
            clock,
            logger,
            extension: () => (container.hasRegistration('oidcProviderExtension') ? container.resolve('oidcProviderExtension') : undefined),
          }),
        ).singleton(),
        oidcLoginService: asFunction(({ oidcPayloadStore, oidcProviderHost, encryption, rateLimiter, clock }: KitServices) =>
          createOidcLoginService({ container, store: oidcPayloadStore, encryption, rateLimiter, clock, issuer: oidcProviderHost.issuer, maxWaitSeconds: resolved.interactionTtlSeconds }),
        ).singleton(),
      });
    },
    // Expired sessions, grants, codes, tokens and interactions (and wallet logins under way).
    housekeeping: ({ oidcPayloadStore, clock }) => oidcPayloadStore.purgeExpired(clock.now()),
    async onReady(services) {
      const { config } = services;
      // A password change ends the account's sign-ins here too: OP sessions, grants, codes and tokens.
      services.tokenService.onAccountSessionsEnded((accountId) => services.oidcPayloadStore.revokeByAccountId(accountId));
      const issuer = services.oidcProviderHost.issuer;
      if (config.mode === 'production') {
        const problems: string[] = [];
        if (!issuer.startsWith('https:')) problems.push(`oidc: the issuer ${issuer} must be an https URL in production (set PUBLIC_URL to https://…)`);
        await services.oidcSigningKeys.ensureKey('operator');
        if ((await services.oidcSigningKeys.keySet()).signedByDevelopmentKey) {
          problems.push('oidc: the signing key was created by a development server; run `w3kit keys rotate` before starting in production');
        }
        if (problems.length > 0) throw new TypeError(problems.join('; '));
      } else {
        await services.oidcSigningKeys.ensureKey('development');
      }
    },
  } satisfies KitPlugin;
}

export { oidcErrors } from './errors.js';
export type { OidcOptions, ResolvedOidcOptions } from './oidc-config.js';
export type { OidcPayloadStore, StoredPayload } from './payload-store.js';
export type { OidcSigningKeyRecord, OidcSigningKeyStore } from './signing-key-store.js';
export type { OidcSigningKeys, OidcSigningAlgorithm, OidcKeySet } from './signing-keys.js';
export type { OidcClientService, OidcClientView, NewOidcClient } from './client-service.js';
export type { OidcLoginService } from './login-service.js';
export type { OidcProviderHost } from './provider-host.js';
export type { OidcProviderExtension, VerifiedOpAccessToken } from './provider-extension.js';
export { createKyselyPayloadStore } from './kysely-payload-store.js';
export { createMemoryPayloadStore } from './memory-payload-store.js';
export { claimsFromMyInfo, SCOPE_CLAIMS } from './provider-host.js';
