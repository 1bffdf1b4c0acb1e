import { auth } from '@w3kit/auth';
import { createKit, type CreateKitOptions, type Kit } from '@w3kit/core';
import { nft } from '@w3kit/nft';
import type { HostDatabase } from './host-database.js';
import { createHostNftStore } from './host-nft-store.js';

export interface HostKitOptions extends Omit<CreateKitOptions, 'plugins'> {
  /** The host's own database, where the credential NFTs go. */
  hostDatabase: HostDatabase;
}

/**
 * auth + nft with one store swapped: NFTs go to the host's `credentials` table through
 * `createHostNftStore`; accounts, keys, QR codes, verifications, rate limits and codes stay on
 * the kit's Kysely stores in the kit's `database`. The kit still runs nft's migrations there
 * (the verification store needs its tables), so an empty `nft_tokens` table exists and stays empty.
 */
export function createHostKit({ hostDatabase, services, ...options }: HostKitOptions): Promise<Kit> {
  return createKit({ ...options, plugins: [auth(), nft()], services: { ...services, nftStore: createHostNftStore(hostDatabase) } });
}
