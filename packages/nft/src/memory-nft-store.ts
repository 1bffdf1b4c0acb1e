import type { HolderScope, NftRecord, NftStore, PageRequest, SearchFilter } from './nft-store.js';
import { SEARCH_FIELDS } from './tables.js';
import { searchText } from './search-key.js';

/**
 * NFTs and idempotency keys in process memory, for tests and single-process tools. Not for a
 * deployment with several instances: each would have its own tokens and its own keys.
 */
export function createMemoryNftStore(): NftStore {
  const tokens = new Map<string, NftRecord>();
  /** By JSON `[minterAccountId, key]`. */
  const idempotencyKeys = new Map<string, { requestHash: string; tokenId: string; claimedAt: Date }>();
  // Callers get and give copies: a record changed after insert or after a read must not change what is stored.
  const copy = (token: NftRecord): NftRecord => structuredClone(token);

  const matches = (token: NftRecord, filter: SearchFilter) => SEARCH_FIELDS.every((field) => filter[field] === undefined || searchText(token.metadata, field) === filter[field]);

  const visibleIn = (token: NftRecord, scope: HolderScope) =>
    scope.kind === 'all' || token.visibility === 'public' || (scope.kind === 'publicOrMintedBy' && token.minterAccountId === scope.minterAccountId);

  function page(selected: Iterable<NftRecord>, { perPage, page: n, order }: PageRequest): NftRecord[] {
    const direction = order === 'asc' ? 1 : -1;
    const sorted = [...selected].sort((a, b) => direction * (a.createdAt.getTime() - b.createdAt.getTime() || (a.tokenId < b.tokenId ? -1 : a.tokenId > b.tokenId ? 1 : 0)));
    return sorted.slice((n - 1) * perPage, n * perPage).map(copy);
  }

  const where = (predicate: (token: NftRecord) => boolean) => [...tokens.values()].filter(predicate);

  return {
    async insert(token) {
      if (tokens.has(token.tokenId)) throw new Error(`token ${token.tokenId} exists`);
      tokens.set(token.tokenId, copy(token));
    },
    async insertMany(batch) {
      const ids = new Set(batch.map((t) => t.tokenId));
      if (ids.size !== batch.length || batch.some((t) => tokens.has(t.tokenId))) throw new Error('insertMany: a token id is repeated or exists');
      for (const token of batch) tokens.set(token.tokenId, copy(token));
    },
    async findById(tokenId) {
      const token = tokens.get(tokenId);
      return token ? copy(token) : null;
    },
    async listByHolder(holderAddress, scope, request) {
      return page(
        where((t) => t.holderAddress === holderAddress && visibleIn(t, scope)),
        request,
      );
    },
    async listByMinter(minterAccountId, filter, request) {
      return page(
        where((t) => t.minterAccountId === minterAccountId && matches(t, filter)),
        request,
      );
    },
    async searchPublic(filter, request) {
      return page(
        where((t) => t.visibility === 'public' && matches(t, filter)),
        request,
      );
    },
    async setVisibility(tokenId, visibility) {
      const token = tokens.get(tokenId);
      if (token) token.visibility = visibility;
    },
    async claimIdempotencyKey({ minterAccountId, key, requestHash, tokenId, at }) {
      const id = JSON.stringify([minterAccountId, key]);
      const first = idempotencyKeys.get(id);
      if (first) return { claimed: false, ...first, claimedAt: new Date(first.claimedAt) };
      idempotencyKeys.set(id, { requestHash, tokenId, claimedAt: new Date(at) });
      return { claimed: true };
    },
    async releaseIdempotencyKey(minterAccountId, key, tokenId) {
      const id = JSON.stringify([minterAccountId, key]);
      if (tokenId === undefined || idempotencyKeys.get(id)?.tokenId === tokenId) idempotencyKeys.delete(id);
    },
  };
}
