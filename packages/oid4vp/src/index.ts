import type { KitServices } from '@w3kit/core';
import { asFunction, asValue } from '@w3kit/core';
import type { KitPlugin } from '@w3kit/core';
import { oid4vpErrors } from './errors.js';
import { createKyselyRequestStore } from './kysely-request-store.js';
import { resolveOid4vpOptions, type Oid4vpOptions, type ResolvedOid4vpOptions } from './oid4vp-config.js';
import { createOid4vpService, type Oid4vpService } from './oid4vp-service.js';
import { presentationWorkers } from './presentation-workers.js';
import type { RequestStore } from './request-store.js';
import { oid4vpRouteGroup } from './routes.js';
import { oid4vpMigrations } from './schema.js';
import { deriveVerifierIdentity } from './verifier-identity.js';

declare module '@w3kit/core' {
  interface KitServices {
    oid4vpOptions: ResolvedOid4vpOptions;
    oid4vpRequestStore: RequestStore;
    oid4vpService: Oid4vpService;
  }
}

const INSECURE = 'OID4VP login needs an https PUBLIC_URL: wallets fetch requests, resolve the verifier’s did:web and post answers over https only; every login is refused with 503 OID4VP_UNAVAILABLE.';

/**
 * OpenID for Verifiable Presentations 1.0, verifier side: a login with the SD-JWT VC the kit's
 * issuer (`sdJwtVcIssuer`, registered by oid4vci) gave an account. Requires auth, whose
 * `accountDirectory` opens the sessions. Without an issuer composed it starts, says so in the
 * log, and refuses every login with 503 OID4VP_UNAVAILABLE.
 */
export function oid4vp(options: Oid4vpOptions = {}) {
  const resolved = resolveOid4vpOptions(options);
  let issuerComposed = () => false;
  let insecure = false;
  return {
    name: 'oid4vp',
    requires: ['auth'],
    migrations: oid4vpMigrations,
    errors: oid4vpErrors.catalog,
    rateLimits: {
      /** Requests started per client IP: each is a row and a signature until it expires. */
      'oid4vp.request': { limit: 30, windowSeconds: 60 },
      /** Wallet answers per client IP: each costs a decryption and several signature checks. */
      'oid4vp.response': { limit: 60, windowSeconds: 60 },
      /** Result polls per client IP (the page polls once a second). */
      'oid4vp.result': { limit: 300, windowSeconds: 60 },
    },
    routes: [oid4vpRouteGroup(resolved)],
    register(container, { config }) {
      const baseUrl = `${config.publicUrl}${config.mountPath}${config.basePaths['oid4vp'] ?? '/oid4vp'}`;
      const vct = resolved.vct ?? `${config.publicUrl}/credentials/account`;
      issuerComposed = () => container.hasRegistration('sdJwtVcIssuer');
      // the libraries (and wallets) accept https request, response and DID URLs only
      insecure = !baseUrl.startsWith('https://');
      container.register({
        oid4vpOptions: asValue(resolved),
        oid4vpRequestStore: asFunction(({ database }: KitServices) => createKyselyRequestStore(database)).singleton(),
        oid4vpService: asFunction(({ oid4vpRequestStore, accountDirectory, encryption, clock, random }: KitServices) =>
          createOid4vpService({
            options: resolved,
            baseUrl,
            vct,
            identity: deriveVerifierIdentity(baseUrl, encryption),
            requestStore: oid4vpRequestStore,
            // composed or not, decided once every plugin has registered
            sdJwtVcIssuer: issuerComposed() ? container.cradle.sdJwtVcIssuer : undefined,
            unavailable: insecure ? INSECURE : undefined,
            verifyOffline: presentationWorkers(resolved.presentationWorkers),
            accountDirectory,
            encryption,
            clock,
            random,
          }),
        ).singleton(),
      });
    },
    onReady({ logger }) {
      // onReady runs after every plugin registered: the issuer is there now or never
      if (insecure) logger.warn(`oid4vp: ${INSECURE}`);
      if (!issuerComposed()) logger.warn('oid4vp: no sdJwtVcIssuer is composed (compose @w3kit/oid4vci), so every OID4VP login is refused with 503 OID4VP_UNAVAILABLE');
    },
    housekeeping: async ({ oid4vpRequestStore, clock }) => {
      // a finished request is kept an hour, so a late poll still hears why it is over
      const now = clock.now();
      await oid4vpRequestStore.purgeExpired(new Date(now.getTime() - 3600_000));
    },
  } satisfies KitPlugin;
}

export { oid4vpErrors } from './errors.js';
export type { Oid4vpOptions, ResolvedOid4vpOptions } from './oid4vp-config.js';
export type { Oid4vpService, StartedRequest, StartRequestInput, CollectInput } from './oid4vp-service.js';
export { CREDENTIAL_QUERY_ID } from './oid4vp-service.js';
export type { RejectionReason } from './presentation-verifier.js';
export type { RequestStore, RequestRecord } from './request-store.js';
export type { VerifierIdentity } from './verifier-identity.js';
