import { randomUUID } from 'node:crypto';
import type { Clock, Ledger } from '@w3kit/core';
import type { JobStore } from './job-store.js';

/**
 * The kit's Ledger on an EVM chain: a mint or burn is an outbox row, written in the caller's
 * transaction; the transaction pipeline sends it.
 */
export function createEvmLedger({ jobStore, clock }: { jobStore: JobStore; clock: Clock }): Ledger {
  return {
    async mint(within, token) {
      const payload = { owner: token.owner, tokenUri: token.tokenUri, expiresAt: Math.floor(token.expiresAt.getTime() / 1000) };
      await jobStore.enqueue(within, { id: randomUUID(), tokenId: token.tokenId, kind: 'mint', payload, at: clock.now().getTime() });
    },
    async burn(within, tokenId) {
      await jobStore.enqueue(within, { id: randomUUID(), tokenId, kind: 'burn', payload: {}, at: clock.now().getTime() });
    },
    status: (tokenIds) => jobStore.states(tokenIds),
  };
}
