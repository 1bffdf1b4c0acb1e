import { asFunction, asValue, type KitServices, type KitPlugin } from '@w3kit/core';
import type { AddressStore } from './address-store.js';
import { siweErrors } from './errors.js';
import { createKyselyAddressStore } from './kysely-address-store.js';
import { createKyselyNonceStore } from './kysely-nonce-store.js';
import type { NonceStore } from './nonce-store.js';
import { siweRouteGroup } from './routes.js';
import { siweMigrations } from './schema.js';
import { createSignatureChecker, type SignatureChecker } from './signature-checker.js';
import { resolveSiweOptions, type ResolvedSiweOptions, type SiweOptions } from './siwe-config.js';
import { createSiweService, type SiweService } from './siwe-service.js';

declare module '@w3kit/core' {
  interface KitServices {
    siweOptions: ResolvedSiweOptions;
    siweNonceStore: NonceStore;
    siweAddressStore: AddressStore;
    siweSignatureChecker: SignatureChecker;
    siweService: SiweService;
  }
}

/**
 * Sign-In with Ethereum (EIP-4361): nonces, sign-in with a signed message (EOAs, EIP-1271 and
 * EIP-6492 wallets), and the addresses of accounts. Requires auth, whose `accountDirectory`
 * opens the sessions; registers `siweVerifier` for other plugins.
 */
export function siwe(options: SiweOptions) {
  const resolved = resolveSiweOptions(options);
  return {
    name: 'siwe',
    requires: ['auth'],
    migrations: siweMigrations,
    errors: siweErrors.catalog,
    rateLimits: {
      /** Nonces handed out per client IP: each is a row until it is used or expires. */
      'siwe.nonce': { limit: 60, windowSeconds: 60 },
      /** Sign-ins and links tried per client IP. */
      'siwe.verify': { limit: 30, windowSeconds: 60 },
      /** Sign-ins tried per address and chain, whoever sends them: bounds the chain calls spent on one smart-contract wallet. */
      'siwe.verify.address': { limit: 10, windowSeconds: 60 },
    },
    routes: [siweRouteGroup()],
    register(container, { config }) {
      // A sign-in message for an http origin can be read and replayed on the way; production signs in over https only.
      const plain = resolved.allowedOrigins.filter((o) => o.protocol !== 'https:');
      if (config.mode === 'production' && plain.length > 0) throw new TypeError(`siwe: in production every allowed origin must be https (not ${plain.map((o) => o.origin).join(', ')})`);
      container.register({
        siweOptions: asValue(resolved),
        siweNonceStore: asFunction(({ database }: KitServices) => createKyselyNonceStore(database)).singleton(),
        siweAddressStore: asFunction(({ database }: KitServices) => createKyselyAddressStore(database)).singleton(),
        siweSignatureChecker: asFunction(() => createSignatureChecker({ chains: resolved.chains, rpcTimeoutMs: resolved.rpcTimeoutMs })).singleton(),
        siweService: asFunction(({ siweNonceStore, siweAddressStore, siweSignatureChecker, accountDirectory, rateLimiter, encryption, random, clock }: KitServices) =>
          createSiweService({
            options: resolved,
            nonceStore: siweNonceStore,
            addressStore: siweAddressStore,
            signatureChecker: siweSignatureChecker,
            accountDirectory,
            rateLimiter,
            encryption,
            random,
            clock,
          }),
        ).singleton(),
        siweVerifier: asFunction(({ siweService }: KitServices) => siweService).singleton(),
      });
    },
    housekeeping: ({ siweNonceStore, clock }) => siweNonceStore.purgeExpired(clock.now()),
  } satisfies KitPlugin;
}

export { siweErrors } from './errors.js';
export type { SiweChain, SiweOptions, ResolvedSiweOptions } from './siwe-config.js';
export type { SiweService, SiweVerifier, SignedMessage, VerifiedSignIn, AddressView } from './siwe-service.js';
export type { AddressStore, LinkedAddress, LinkResult } from './address-store.js';
export type { NonceStore } from './nonce-store.js';
export { ChainUnavailableError, type SignatureChecker } from './signature-checker.js';
