import { compileOnce, insertOrFind, retryTransient, type CompiledQuery, type DatabaseHandle, type Insertable, type Selectable, type Slot } from '@w3kit/core';
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

  /** A page's conditions: the shape (which columns, which constants) and the values bound in it, in order. */
  type PageSlot = 'limit' | 'offset' | `v${number}`;
  interface Conditions {
    shape: string;
    values: unknown[];
    where: (query: Query, value: (index: number) => string) => Query;
  }

  const filterConditions = (filter: SearchFilter): Pick<Conditions, 'shape' | 'values'> & { apply: (query: Query, value: (index: number) => string, first: number) => Query } => {
    const fields = SEARCH_FIELDS.filter((field) => filter[field] !== undefined);
    return {
      shape: fields.join(','),
      values: fields.map((field) => searchKey(filter[field]!)),
      apply: (query, value, first) => fields.reduce((q, field, i) => q.where(`s_${field}`, '=', value(first + i)), query),
    };
  };

  // The page statement of each shape, built and compiled by Kysely once (compileOnce): building and
  // compiling the deferred join took about 60 µs of the kit's CPU per page. Shapes are few (a
  // listing, its scope, the search fields given, the order); past MAX_SHAPES a page is compiled
  // for that call only, so requests cannot grow the cache.
  const MAX_SHAPES = 64;
  const compiledPages = new Map<string, (values: Readonly<Record<PageSlot, unknown>>) => CompiledQuery<Row>>();
  const pageStatement = ({ shape, where }: Conditions, order: PageRequest['order']) => {
    const key = `${shape}|${order}`;
    const known = compiledPages.get(key);
    if (known) return known;
    const compiled = compileOnce<PageSlot, Row>((slot: Slot<PageSlot>) => {
      // first the ids of the page from the index alone (a covering-index skip, so page 500 costs
      // little more than page 1), then those rows
      const ids = where(base(), (index) => slot<string>(`v${index}`))
        .select('token_id')
        .orderBy('created_at', order)
        .orderBy('token_id', order)
        .limit(slot<number>('limit'))
        .offset(slot<number>('offset'));
      return db.selectFrom('nft_tokens as t').innerJoin(ids.as('p'), 'p.token_id', 't.token_id').selectAll('t').orderBy('t.created_at', order).orderBy('t.token_id', order);
    });
    if (compiledPages.size < MAX_SHAPES) compiledPages.set(key, compiled);
    return compiled;
  };

  /** Pages through the tokens the conditions select, by (created_at, token_id). */
  async function page(conditions: Conditions, { perPage, page: n, order }: PageRequest): Promise<NftRecord[]> {
    const values: Record<string, unknown> = { limit: perPage, offset: (n - 1) * perPage };
    conditions.values.forEach((value, index) => (values[`v${index}`] = value));
    const { rows } = await db.executeQuery(pageStatement(conditions, order)(values as Record<PageSlot, unknown>));
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
      const minter = scope.kind === 'publicOrMintedBy' ? [scope.minterAccountId] : [];
      const where: Conditions['where'] = (query, value) => {
        const q = query.where('holder_address', '=', value(0));
        if (scope.kind === 'public') return q.where('visibility', '=', 'public');
        if (scope.kind === 'publicOrMintedBy') return q.where((eb) => eb.or([eb('visibility', '=', 'public'), eb('minter_account_id', '=', value(1))]));
        return q;
      };
      return page({ shape: `holder:${scope.kind}`, values: [holderAddress, ...minter], where }, request);
    },
    listByMinter(minterAccountId, filter, request) {
      const fields = filterConditions(filter);
      const where: Conditions['where'] = (query, value) => fields.apply(query.where('minter_account_id', '=', value(0)), value, 1);
      return page({ shape: `minter:${fields.shape}`, values: [minterAccountId, ...fields.values], where }, request);
    },
    searchPublic(filter, request) {
      const fields = filterConditions(filter);
      const where: Conditions['where'] = (query, value) => fields.apply(query.where('visibility', '=', 'public'), value, 0);
      return page({ shape: `public:${fields.shape}`, values: fields.values, where }, request);
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
