import { asFunction, asValue, type KitServices, type KitPlugin } from '@w3kit/core';
import { nftErrors } from './errors.js';
import { createKyselyNftStore } from './kysely-nft-store.js';
import { createKyselyVerificationStore } from './kysely-verification-store.js';
import { resolveNftOptions, type NftOptions, type ResolvedNftOptions } from './nft-config.js';
import { createNftService, type NftService } from './nft-service.js';
import type { NftStore } from './nft-store.js';
import { nftRouteGroups } from './routes.js';
import { nftMigrations } from './tables.js';
import type { VerificationStore } from './verification-store.js';

declare module '@w3kit/core' {
  interface KitServices {
    nftOptions: ResolvedNftOptions;
    nftStore: NftStore;
    nftVerificationStore: VerificationStore;
    nftService: NftService;
  }
}

/**
 * Credential NFTs: mint, fetch, list, visibility, search and QR verification (Web3Connect,
 * `/rest/v1/nft/…`). Needs `auth` for the requester's identity and the minter's ID wallet.
 */
export function nft(options: NftOptions = {}) {
  const resolved = resolveNftOptions(options);
  return {
    name: 'nft',
    requires: ['auth'],
    migrations: nftMigrations,
    errors: nftErrors.catalog,
    rateLimits: {
      /** QR scans (step 2) per scanner account: bounds guessing of codes. */
      'nft.qr.scan': { limit: 30, windowSeconds: 60 },
    },
    routes: nftRouteGroups(resolved),
    // QR codes are kept a day past expiry (the holder may still poll), then deleted; verification records stay.
    housekeeping: ({ nftVerificationStore, clock }) => nftVerificationStore.purgeCodes(new Date(clock.now().getTime() - 86_400_000)),
    register(container) {
      container.register({
        nftOptions: asValue(resolved),
        nftStore: asFunction(({ database }: KitServices) => createKyselyNftStore(database)).singleton(),
        nftVerificationStore: asFunction(({ database }: KitServices) => createKyselyVerificationStore(database)).singleton(),
        nftService: asFunction(({ nftStore, nftVerificationStore, accountDirectory, clock, random, urls }: KitServices) => {
          // a chain plugin registers core's ledger; without one the kit is database only
          const ledger = container.hasRegistration('ledger') ? container.cradle.ledger : null;
          return createNftService({ nftStore, nftVerificationStore, accountDirectory, clock, random, ledger, options: resolved, urls });
        }).singleton(),
      });
    },
  } satisfies KitPlugin;
}

export { nftErrors } from './errors.js';
export type { NftOptions, ResolvedNftOptions } from './nft-config.js';
export type { NftService, MintInput } from './nft-service.js';
export type { NftStore, NftRecord, NftMetadata, PageRequest, SearchFilter, HolderScope, IdempotencyClaim, Visibility } from './nft-store.js';
export type { VerificationStore, QrCodeRecord, VerificationRecord, GpsPoint } from './verification-store.js';
export type { NftView } from './nft-view.js';
export { createKyselyNftStore } from './kysely-nft-store.js';
export { createMemoryNftStore } from './memory-nft-store.js';
export { createKyselyVerificationStore } from './kysely-verification-store.js';
export { recoverMinter, mintTypedData, metadataHash, canonicalJson, MINT_TYPES } from './minter-signature.js';
export { SEARCH_FIELDS, nftMigrations, type SearchField } from './tables.js';
export { qrCodePngDataUrl } from './qr-png.js';
