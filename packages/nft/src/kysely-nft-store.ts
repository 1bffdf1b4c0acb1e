import { insertOrFind, retryTransient, type DatabaseHandle, type Insertable, type Selectable } from '@w3kit/core';
import type { NftMetadata, NftRecord, NftStore, PageRequest, SearchFilter, Visibility } from './nft-store.js';
import { SEARCH_FIELDS, type NftTables } from './tables.js';
import { searchKey, searchText } from './search-key.js';

type Row = Selectable<NftTables['nft_tokens']>;

function toRecord(row: Row): NftRecord {
  return {
    tokenId: row.token_id,
    holderAddress: row.holder_address,
    holderAccountId: row.holder_account_id,
    minterAccountId: row.minter_account_id,
    minterAddress: row.minter_address,
    visibility: row.visibility as Visibility,
    createdAt: new Date(Number(row.created_at)),
    expiredAt: new Date(Number(row.expired_at)),
    metadata: JSON.parse(row.metadata) as NftMetadata,
    metadataHash: row.metadata_hash,
    minterSignature: row.minter_signature,
  };
}

function toRow(t: NftRecord): Insertable<NftTables['nft_tokens']> {
  const row: Record<string, unknown> = {
    token_id: t.tokenId,
    holder_address: t.holderAddress,
    holder_account_id: t.holderAccountId,
    minter_account_id: t.minterAccountId,
    minter_address: t.minterAddress,
    visibility: t.visibility,
    created_at: t.createdAt.getTime(),
    expired_at: t.expiredAt.getTime(),
    metadata: JSON.stringify(t.metadata),
    metadata_hash: t.metadataHash,
    minter_signature: t.minterSignature,
  };
  for (const field of SEARCH_FIELDS) {
    const text = searchText(t.metadata, field);
    row[`s_${field}`] = text === null ? null : searchKey(text);
  }
  return row as Insertable<NftTables['nft_tokens']>;
}

export function createKyselyNftStore(database: DatabaseHandle): NftStore {
  const db = database.db.withTables<NftTables>();
  const transaction: NftStore['transaction'] = (work) => database.db.transaction().execute((trx) => work(createKyselyNftStore({ ...database, db: trx }), trx));

  type Query = ReturnType<typeof base>;
  const base = () => db.selectFrom('nft_tokens');

  const applyFilter = (query: Query, filter: SearchFilter): Query => {
    let q = query;
    for (const field of SEARCH_FIELDS) {
      const value = filter[field];
      if (value !== undefined) q = q.where(`s_${field}`, '=', searchKey(value));
    }
    return q;
  };

  /**
   * Pages through `query` by (created_at, token_id): first the ids of the page from the index
   * alone (a covering-index skip, so page 500 costs little more than page 1), then those rows.
   */
  async function page(query: Query, { perPage, page: n, order }: PageRequest): Promise<NftRecord[]> {
    const ids = query
      .select('token_id')
      .orderBy('created_at', order)
      .orderBy('token_id', order)
      .limit(perPage)
      .offset((n - 1) * perPage);
    const rows = await db.selectFrom('nft_tokens as t').innerJoin(ids.as('p'), 'p.token_id', 't.token_id').selectAll('t').orderBy('t.created_at', order).orderBy('t.token_id', order).execute();
    return rows.map(toRecord);
  }

  return {
    transaction,
    async insert(token) {
      await db.insertInto('nft_tokens').values(toRow(token)).execute();
    },
    async insertMany(tokens) {
      if (tokens.length === 0) return;
      await db.insertInto('nft_tokens').values(tokens.map(toRow)).execute();
    },
    async findById(tokenId) {
      const row = await base().selectAll().where('token_id', '=', tokenId).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    listByHolder(holderAddress, scope, request) {
      let query = base().where('holder_address', '=', holderAddress);
      if (scope.kind === 'public') query = query.where('visibility', '=', 'public');
      if (scope.kind === 'publicOrMintedBy') {
        query = query.where((eb) => eb.or([eb('visibility', '=', 'public'), eb('minter_account_id', '=', scope.minterAccountId)]));
      }
      return page(query, request);
    },
    listByMinter(minterAccountId, filter, request) {
      return page(applyFilter(base().where('minter_account_id', '=', minterAccountId), filter), request);
    },
    searchPublic(filter, request) {
      return page(applyFilter(base().where('visibility', '=', 'public'), filter), request);
    },
    async setVisibility(tokenId, visibility) {
      await db.updateTable('nft_tokens').set({ visibility }).where('token_id', '=', tokenId).execute();
    },
    async claimIdempotencyKey({ minterAccountId, key, requestHash, tokenId, at }) {
      // A claim can race a release of the same key (a stale claim being taken over): the first
      // claim's row may be gone by the time its duplicate is read, so claim again; and InnoDB may
      // pick the INSERT as a deadlock victim (its duplicate check holds a shared lock), which
      // rolls the statement back whole, so it is retried.
      for (;;) {
        const claim = await insertOrFind(
          () =>
            retryTransient(() =>
              db
                .insertInto('nft_idempotency_keys')
                .values({ minter_account_id: minterAccountId, idempotency_key: key, request_hash: requestHash, token_id: tokenId, created_at: at.getTime() })
                .execute(),
            ),
          () =>
            db
              .selectFrom('nft_idempotency_keys')
              .select(['request_hash', 'token_id', 'created_at'])
              .where('minter_account_id', '=', minterAccountId)
              .where('idempotency_key', '=', key)
              .executeTakeFirst(),
        );
        if (claim.inserted) return { claimed: true };
        const first = claim.existing;
        if (first) return { claimed: false, requestHash: first.request_hash, tokenId: first.token_id, claimedAt: new Date(Number(first.created_at)) };
      }
    },
    async releaseIdempotencyKey(minterAccountId, key, tokenId) {
      let release = db.deleteFrom('nft_idempotency_keys').where('minter_account_id', '=', minterAccountId).where('idempotency_key', '=', key);
      if (tokenId !== undefined) release = release.where('token_id', '=', tokenId);
      await retryTransient(() => release.execute());
    },
  };
}
