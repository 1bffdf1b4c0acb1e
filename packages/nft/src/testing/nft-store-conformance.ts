import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { getAddress } from 'ethers';
import type { NftMetadata, NftRecord, NftStore, PageRequest, SearchFilter, Visibility } from '../nft-store.js';
import { SEARCH_FIELDS, type SearchField } from '../tables.js';
import { sampleStaticMetadata } from './sample-metadata.js';

/** One behaviour of the `NftStore` contract, checked against a store. */
export interface NftStoreConformanceCase {
  name: string;
  /** Runs the check on an empty store; rejects (an `AssertionError`) when the store breaks the contract. */
  run(store: NftStore): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const STATIC_SEARCH_FIELDS: readonly SearchField[] = ['issuer', 'contents_provider', 'name', 'description'];

const tokenId = () => `0x${randomBytes(32).toString('hex')}`;
const address = () => getAddress(`0x${randomBytes(20).toString('hex')}`);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Metadata as the service stores it: the four static search fields in `static`, the rest in `dynamic`. */
function metadataWith(fields: SearchFilter = {}, extraDynamic: Record<string, unknown> = {}): NftMetadata {
  const meta: NftMetadata = {
    static: sampleStaticMetadata({ serial_number: 1, total_issued: 10, expired_at: '9999-12-31T23:59:59.000Z' }),
    dynamic: { ...extraDynamic },
  };
  for (const [field, value] of Object.entries(fields)) {
    if (STATIC_SEARCH_FIELDS.includes(field as SearchField)) meta.static[field] = value;
    else meta.dynamic[field] = value;
  }
  return meta;
}

interface TokenSpec {
  holderAddress?: string;
  minterAccountId?: string;
  visibility?: Visibility;
  createdAt?: number;
  fields?: SearchFilter;
  id?: string;
}

function token(spec: TokenSpec = {}): NftRecord {
  const metadata = metadataWith(spec.fields);
  return {
    tokenId: spec.id ?? tokenId(),
    holderAddress: spec.holderAddress ?? address(),
    holderAccountId: randomUUID(),
    minterAccountId: spec.minterAccountId ?? randomUUID(),
    minterAddress: address(),
    visibility: spec.visibility ?? 'public',
    createdAt: new Date(spec.createdAt ?? T0),
    expiredAt: new Date('9999-12-31T23:59:59.000Z'),
    metadata,
    metadataHash: `0x${sha256(JSON.stringify(metadata))}`,
    minterSignature: `0x${randomBytes(65).toString('hex')}`,
  };
}

const ids = (records: readonly NftRecord[]) => records.map((r) => r.tokenId);
const sortedIds = (records: readonly NftRecord[]) => ids(records).sort();
const all: PageRequest = { perPage: 100, page: 1, order: 'asc' };

/** (createdAt, tokenId) ascending: the order of every listing with `order: 'asc'`. */
const pageOrder = (records: readonly NftRecord[]) => [...records].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.tokenId < b.tokenId ? -1 : a.tokenId > b.tokenId ? 1 : 0));

async function searchIds(store: NftStore, filter: SearchFilter, minterAccountId?: string): Promise<string[]> {
  const found = minterAccountId === undefined ? await store.searchPublic(filter, all) : await store.listByMinter(minterAccountId, filter, all);
  return sortedIds(found);
}

/**
 * The conformance suite of `NftStore`: every behaviour the NFT service relies on, as cases that
 * each take an empty store. Every implementation (the kit's Kysely store, the memory store, a
 * host's own) must pass all of them. Framework-agnostic (node:assert); in mocha:
 *
 * ```ts
 * import { nftStoreConformance } from '@w3kit/nft/testing';
 * describe('my NftStore', () => {
 *   let store: NftStore;
 *   beforeEach(async () => { store = await openEmptyStore(); });
 *   for (const c of nftStoreConformance()) it(c.name, () => c.run(store));
 * });
 * ```
 */
export function nftStoreConformance(): NftStoreConformanceCase[] {
  return [
    {
      name: 'insert then findById returns every field as inserted (dates to the millisecond, metadata JSON, EIP-55 addresses)',
      async run(store) {
        const record = token({ visibility: 'private', createdAt: Date.UTC(2026, 2, 4, 5, 6, 7, 891) });
        record.expiredAt = new Date('2031-07-08T09:10:11.012Z');
        record.metadata.static['expired_at'] = record.expiredAt.toISOString();
        record.metadata.dynamic = {
          category: 'diploma',
          points_earned: 12.5,
          numbered_position: 9007199254740991,
          empty: '',
          nothing: null,
          text: 'quotes " and \\ backslash\nnewline, 東京, emoji 🎓',
          attributes: [{ trait_type: 'grade', value: 'A' }, 1, true, null],
          properties: { nested: { list: [1, 'two', { three: 3 }], flag: false } },
        };
        const copy = structuredClone(record);
        await store.insert(record);
        const found = await store.findById(record.tokenId);
        assert.deepEqual(found, copy);
        assert.ok(found.createdAt instanceof Date && found.expiredAt instanceof Date, 'dates come back as Date objects');
        assert.equal(found.holderAddress, copy.holderAddress, 'the checksummed (mixed-case) address is kept');
      },
    },
    {
      name: 'findById of an unknown id is null',
      async run(store) {
        await store.insert(token());
        assert.equal(await store.findById(tokenId()), null);
      },
    },
    {
      name: 'stored records are values: changing an inserted or returned object changes nothing stored',
      async run(store) {
        const record = token({ fields: { category: 'diploma' } });
        const copy = structuredClone(record);
        await store.insert(record);
        record.visibility = 'private';
        record.metadata.dynamic['category'] = 'changed';
        record.createdAt.setTime(0);
        const read = (await store.findById(copy.tokenId))!;
        assert.deepEqual(read, copy, 'the inserted object was changed after insert');
        read.metadata.static['name'] = 'changed';
        read.createdAt.setTime(0);
        assert.deepEqual(await store.findById(copy.tokenId), copy, 'a returned object was changed');
      },
    },
    {
      name: 'insertMany stores every record; an empty list stores nothing and does not fail',
      async run(store) {
        await store.insertMany([]);
        const records = Array.from({ length: 7 }, (_, i) => token({ createdAt: T0 + i }));
        await store.insertMany(records);
        for (const record of records) assert.deepEqual(await store.findById(record.tokenId), record);
        assert.deepEqual(ids(await store.searchPublic({}, all)), ids(records));
      },
    },
    {
      name: 'listByHolder: each scope sees exactly its tokens of that holder, and no other holder’s',
      async run(store) {
        const holder = address();
        const minterA = randomUUID();
        const minterB = randomUUID();
        const publicA = token({ holderAddress: holder, minterAccountId: minterA, visibility: 'public', createdAt: T0 + 1 });
        const privateA = token({ holderAddress: holder, minterAccountId: minterA, visibility: 'private', createdAt: T0 + 2 });
        const publicB = token({ holderAddress: holder, minterAccountId: minterB, visibility: 'public', createdAt: T0 + 3 });
        const privateB = token({ holderAddress: holder, minterAccountId: minterB, visibility: 'private', createdAt: T0 + 4 });
        const otherHolder = token({ minterAccountId: minterA, visibility: 'public', createdAt: T0 + 5 });
        await store.insertMany([privateB, publicA, otherHolder, publicB, privateA]);

        assert.deepEqual(ids(await store.listByHolder(holder, { kind: 'all' }, all)), ids([publicA, privateA, publicB, privateB]), 'all');
        assert.deepEqual(ids(await store.listByHolder(holder, { kind: 'public' }, all)), ids([publicA, publicB]), 'public');
        assert.deepEqual(ids(await store.listByHolder(holder, { kind: 'publicOrMintedBy', minterAccountId: minterA }, all)), ids([publicA, privateA, publicB]), 'publicOrMintedBy A');
        assert.deepEqual(ids(await store.listByHolder(holder, { kind: 'publicOrMintedBy', minterAccountId: randomUUID() }, all)), ids([publicA, publicB]), 'publicOrMintedBy someone who minted none');
        assert.deepEqual(await store.listByHolder(address(), { kind: 'all' }, all), [], 'a holder without tokens');
        assert.deepEqual((await store.listByHolder(holder, { kind: 'all' }, all))[1], privateA, 'listings return whole records');
      },
    },
    {
      name: 'paging: perPage and page (1-based) cut the ordered list; a page past the end is empty',
      async run(store) {
        const holder = address();
        const minter = randomUUID();
        const records = Array.from({ length: 5 }, (_, i) => token({ holderAddress: holder, minterAccountId: minter, createdAt: T0 + i * 1000 }));
        await store.insertMany([...records].reverse());
        const expected = ids(records);
        const listings = {
          listByHolder: (page: PageRequest) => store.listByHolder(holder, { kind: 'all' }, page),
          listByMinter: (page: PageRequest) => store.listByMinter(minter, {}, page),
          searchPublic: (page: PageRequest) => store.searchPublic({}, page),
        };
        for (const [name, list] of Object.entries(listings)) {
          assert.deepEqual(ids(await list({ perPage: 2, page: 1, order: 'asc' })), expected.slice(0, 2), `${name} page 1`);
          assert.deepEqual(ids(await list({ perPage: 2, page: 2, order: 'asc' })), expected.slice(2, 4), `${name} page 2`);
          assert.deepEqual(ids(await list({ perPage: 2, page: 3, order: 'asc' })), expected.slice(4), `${name} page 3 (partial)`);
          assert.deepEqual(await list({ perPage: 2, page: 4, order: 'asc' }), [], `${name} page 4 (past the end)`);
          assert.deepEqual(ids(await list({ perPage: 1, page: 5, order: 'desc' })), [expected[0]], `${name} last page, desc`);
          assert.deepEqual(ids(await list({ perPage: 100, page: 1, order: 'asc' })), expected, `${name} one page of 100`);
        }
      },
    },
    {
      name: 'order asc/desc is on createdAt, and tokens created at the same millisecond are ordered by tokenId in the same direction',
      async run(store) {
        const holder = address();
        const minter = randomUUID();
        // three created in the same millisecond, their ids chosen so id order differs from insert order
        const spec = [
          { id: `0x${'c'.repeat(64)}`, at: T0 + 1000 },
          { id: `0x${'0'.repeat(63)}9`, at: T0 + 2000 },
          { id: `0x${'a'.repeat(64)}`, at: T0 + 1000 },
          { id: `0x${'f'.repeat(64)}`, at: T0 },
          { id: `0x${'1'.repeat(64)}`, at: T0 + 1000 },
          { id: `0x${'b'.repeat(64)}`, at: T0 + 3000 },
        ];
        const records = spec.map(({ id, at }) => token({ id, createdAt: at, holderAddress: holder, minterAccountId: minter }));
        await store.insertMany(records);
        const asc = ids(pageOrder(records));
        assert.deepEqual(
          asc,
          [spec[3], spec[4], spec[2], spec[0], spec[1], spec[5]].map((s) => s!.id),
          'the test’s own expectation',
        );
        const desc = [...asc].reverse();
        const listings = {
          listByHolder: (page: PageRequest) => store.listByHolder(holder, { kind: 'all' }, page),
          listByMinter: (page: PageRequest) => store.listByMinter(minter, {}, page),
          searchPublic: (page: PageRequest) => store.searchPublic({}, page),
        };
        for (const [name, list] of Object.entries(listings)) {
          assert.deepEqual(ids(await list({ perPage: 100, page: 1, order: 'asc' })), asc, `${name} asc`);
          assert.deepEqual(ids(await list({ perPage: 100, page: 1, order: 'desc' })), desc, `${name} desc`);
          // the tie must hold across a page boundary, too
          const paged = [...(await list({ perPage: 2, page: 1, order: 'desc' })), ...(await list({ perPage: 2, page: 2, order: 'desc' })), ...(await list({ perPage: 2, page: 3, order: 'desc' }))];
          assert.deepEqual(ids(paged), desc, `${name} desc in pages of 2`);
        }
      },
    },
    {
      name: 'listByMinter without a filter: the minter’s tokens, public and private, and no one else’s',
      async run(store) {
        const minter = randomUUID();
        const mine = [token({ minterAccountId: minter, visibility: 'public', createdAt: T0 }), token({ minterAccountId: minter, visibility: 'private', createdAt: T0 + 1 })];
        await store.insertMany([...mine, token({ visibility: 'public', createdAt: T0 + 2 }), token({ visibility: 'private', createdAt: T0 + 3 })]);
        assert.deepEqual(ids(await store.listByMinter(minter, {}, all)), ids(mine));
        assert.deepEqual(await store.listByMinter(randomUUID(), {}, all), []);
      },
    },
    {
      name: 'listByMinter with a filter: the minter’s matching tokens, public and private',
      async run(store) {
        const minter = randomUUID();
        const a = token({ minterAccountId: minter, visibility: 'private', fields: { category: 'diploma', issuer: 'Acme' } });
        const b = token({ minterAccountId: minter, visibility: 'public', fields: { category: 'diploma', issuer: 'Other' } });
        const c = token({ minterAccountId: minter, visibility: 'public', fields: { category: 'badge', issuer: 'Acme' } });
        const othersMatch = token({ visibility: 'public', fields: { category: 'diploma', issuer: 'Acme' } });
        await store.insertMany([a, b, c, othersMatch]);
        assert.deepEqual(await searchIds(store, { category: 'diploma' }, minter), sortedIds([a, b]));
        assert.deepEqual(await searchIds(store, { issuer: 'Acme' }, minter), sortedIds([a, c]));
        assert.deepEqual(await searchIds(store, { category: 'diploma', issuer: 'Acme' }, minter), sortedIds([a]));
        assert.deepEqual(await searchIds(store, { category: 'none' }, minter), []);
      },
    },
    {
      name: 'searchPublic finds only public tokens, with or without a filter',
      async run(store) {
        const pub = [token({ fields: { brand: 'acme' }, createdAt: T0 }), token({ fields: { brand: 'other' }, createdAt: T0 + 1 })];
        const priv = [token({ visibility: 'private', fields: { brand: 'acme' }, createdAt: T0 + 2 })];
        await store.insertMany([...pub, ...priv]);
        assert.deepEqual(ids(await store.searchPublic({}, all)), ids(pub));
        assert.deepEqual(ids(await store.searchPublic({ brand: 'acme' }, all)), ids([pub[0]!]));
      },
    },
    {
      name: 'search is exact and case-sensitive: no case-folded, prefix, substring, padded or pattern match',
      async run(store) {
        const minter = randomUUID();
        const t = token({ minterAccountId: minter, fields: { issuer: 'Acme Univ', brand: 'acme', keywords: 'a_b%c' } });
        const accented = token({ minterAccountId: minter, fields: { brand: 'café' } });
        await store.insertMany([t, accented]);
        for (const scope of [undefined, minter]) {
          assert.deepEqual(await searchIds(store, { issuer: 'Acme Univ' }, scope), [t.tokenId]);
          assert.deepEqual(await searchIds(store, { brand: 'acme' }, scope), [t.tokenId]);
          assert.deepEqual(await searchIds(store, { keywords: 'a_b%c' }, scope), [t.tokenId]);
          assert.deepEqual(await searchIds(store, { brand: 'café' }, scope), [accented.tokenId]);
          for (const near of ['acme univ', 'ACME UNIV', 'Acme', 'Acme Univ ', ' Acme Univ', 'Acme Univ\t', 'Acme Univ\n', 'Acme%', 'Acme Uni_', '%']) {
            assert.deepEqual(await searchIds(store, { issuer: near }, scope), [], `issuer ${JSON.stringify(near)} must not match "Acme Univ"`);
          }
          for (const near of ['ACME', 'Acme', 'acme ', 'acm', 'cme']) {
            assert.deepEqual(await searchIds(store, { brand: near }, scope), [], `brand ${JSON.stringify(near)} must not match "acme"`);
          }
          assert.deepEqual(await searchIds(store, { keywords: 'aXb%c' }, scope), [], '_ is not a wildcard');
          assert.deepEqual(await searchIds(store, { keywords: 'a_b%' }, scope), [], '% is not a wildcard');
          assert.deepEqual(await searchIds(store, { brand: 'cafe' }, scope), [], 'accents count');
          assert.deepEqual(await searchIds(store, { brand: 'Café' }, scope), [], 'case counts beyond ASCII');
          assert.deepEqual(await searchIds(store, { brand: 'cafe\u0301' }, scope), [], 'no Unicode normalization: é and e + combining acute differ');
        }
      },
    },
    {
      name: 'values longer than 100 characters match exactly, and only exactly',
      async run(store) {
        const minter = randomUUID();
        const long = `${'Long description of the credential. '.repeat(8)}東京 🎓 end`;
        const longer = `${long}!`;
        const t = token({ minterAccountId: minter, fields: { description: long, program_name: 'p'.repeat(101) } });
        const u = token({ minterAccountId: minter, fields: { description: longer, program_name: 'p'.repeat(100) } });
        await store.insertMany([t, u]);
        for (const scope of [undefined, minter]) {
          assert.deepEqual(await searchIds(store, { description: long }, scope), [t.tokenId]);
          assert.deepEqual(await searchIds(store, { description: longer }, scope), [u.tokenId]);
          assert.deepEqual(await searchIds(store, { program_name: 'p'.repeat(101) }, scope), [t.tokenId], '101 characters');
          assert.deepEqual(await searchIds(store, { program_name: 'p'.repeat(100) }, scope), [u.tokenId], '100 characters');
          assert.deepEqual(await searchIds(store, { program_name: 'p'.repeat(99) }, scope), []);
          assert.deepEqual(await searchIds(store, { description: long.slice(0, 100) }, scope), [], 'the first 100 characters');
          assert.deepEqual(await searchIds(store, { description: long.toUpperCase() }, scope), [], 'case counts in long values');
          assert.deepEqual(await searchIds(store, { description: `${long} ` }, scope), [], 'a trailing space counts in long values');
          // a store that indexes long values by a digest must not let the digest itself match
          for (const digest of [sha256(long), `h:${sha256(long)}`, `0x${sha256(long)}`]) {
            assert.deepEqual(await searchIds(store, { description: digest }, scope), [], `${digest} must not match the long value`);
          }
        }
      },
    },
    {
      name: 'a short value that looks like a digest is matched as itself',
      async run(store) {
        const value = `h:${sha256('anything')}`;
        const t = token({ fields: { description: value, brand: `h:${'0'.repeat(64)}` } });
        await store.insert(t);
        assert.deepEqual(await searchIds(store, { description: value }), [t.tokenId]);
        assert.deepEqual(await searchIds(store, { brand: `h:${'0'.repeat(64)}` }), [t.tokenId]);
        assert.deepEqual(await searchIds(store, { description: 'anything' }), []);
      },
    },
    {
      name: 'every documented search field is searchable on its own',
      async run(store) {
        const values = Object.fromEntries(SEARCH_FIELDS.map((field) => [field, `${field}-value`])) as SearchFilter;
        const t = token({ fields: values });
        const other = token({ fields: Object.fromEntries(SEARCH_FIELDS.map((field) => [field, `${field}-other`])) });
        await store.insertMany([t, other]);
        for (const field of SEARCH_FIELDS) {
          assert.deepEqual(await searchIds(store, { [field]: `${field}-value` }), [t.tokenId], field);
          // the value of one field does not match another field
          const neighbour = SEARCH_FIELDS[(SEARCH_FIELDS.indexOf(field) + 1) % SEARCH_FIELDS.length]!;
          assert.deepEqual(await searchIds(store, { [neighbour]: `${field}-value` }), [], `${field}'s value searched as ${neighbour}`);
        }
      },
    },
    {
      name: 'several filter fields combine with AND; a token without a field matches no filter on it',
      async run(store) {
        const both = token({ fields: { category: 'diploma', brand: 'acme', level: 'bachelor' } });
        const categoryOnly = token({ fields: { category: 'diploma', brand: 'other' } });
        const brandOnly = token({ fields: { category: 'badge', brand: 'acme' } });
        const noLevel = token({ fields: { category: 'diploma', brand: 'acme' } });
        await store.insertMany([both, categoryOnly, brandOnly, noLevel]);
        assert.deepEqual(await searchIds(store, { category: 'diploma', brand: 'acme' }), sortedIds([both, noLevel]));
        assert.deepEqual(await searchIds(store, { category: 'diploma', brand: 'acme', level: 'bachelor' }), [both.tokenId]);
        assert.deepEqual(await searchIds(store, { category: 'badge', brand: 'other' }), []);
        assert.deepEqual(await searchIds(store, { level: '' }), [], 'an empty string does not match a missing field');
        assert.deepEqual(await searchIds(store, { gtin: 'null' }), [], 'nor does "null"');
      },
    },
    {
      name: 'an empty string is a value: it matches a field stored empty',
      async run(store) {
        const t = token({ fields: { level: '' } });
        await store.insertMany([t, token({ fields: { level: 'x' } })]);
        assert.deepEqual(await searchIds(store, { level: '' }), [t.tokenId]);
      },
    },
    {
      name: 'a static search field (issuer, contents_provider, name, description) is matched on metadata.static, not on a dynamic key of the same name',
      async run(store) {
        const t = token({ fields: { name: 'Static Name' } });
        t.metadata.dynamic['name'] = 'Dynamic Name';
        t.metadata.dynamic['issuer'] = 'Dynamic Issuer';
        await store.insert(t);
        assert.deepEqual(await searchIds(store, { name: 'Static Name' }), [t.tokenId]);
        assert.deepEqual(await searchIds(store, { issuer: 'Acme University' }), [t.tokenId]);
        assert.deepEqual(await searchIds(store, { name: 'Dynamic Name' }), []);
        assert.deepEqual(await searchIds(store, { issuer: 'Dynamic Issuer' }), []);
      },
    },
    {
      name: 'setVisibility changes what scoped listings and public searches see; the token keeps every other field; an unknown id is a no-op',
      async run(store) {
        const holder = address();
        const t = token({ holderAddress: holder, visibility: 'private', fields: { brand: 'acme' } });
        await store.insert(t);
        assert.deepEqual(await store.searchPublic({ brand: 'acme' }, all), []);
        await store.setVisibility(t.tokenId, 'public');
        assert.deepEqual(await store.findById(t.tokenId), { ...t, visibility: 'public' });
        assert.deepEqual(ids(await store.searchPublic({ brand: 'acme' }, all)), [t.tokenId]);
        assert.deepEqual(ids(await store.listByHolder(holder, { kind: 'public' }, all)), [t.tokenId]);
        await store.setVisibility(t.tokenId, 'public');
        assert.equal((await store.findById(t.tokenId))?.visibility, 'public', 'setting the same visibility again');
        await store.setVisibility(t.tokenId, 'private');
        assert.deepEqual(await store.findById(t.tokenId), t);
        assert.deepEqual(await store.searchPublic({ brand: 'acme' }, all), []);
        assert.deepEqual(await store.listByHolder(holder, { kind: 'public' }, all), []);
        assert.deepEqual(ids(await store.listByHolder(holder, { kind: 'all' }, all)), [t.tokenId]);
        await store.setVisibility(tokenId(), 'public');
        assert.deepEqual(await store.searchPublic({}, all), [], 'an unknown id changes nothing and creates nothing');
      },
    },
    {
      name: 'claimIdempotencyKey: the first claim wins; every later one gets the first’s requestHash and tokenId',
      async run(store) {
        const minter = randomUUID();
        const first = { minterAccountId: minter, key: 'order-42', requestHash: `0x${sha256('body 1')}`, tokenId: tokenId(), at: new Date(T0) };
        assert.deepEqual(await store.claimIdempotencyKey(first), { claimed: true });
        const again = { ...first, requestHash: `0x${sha256('body 2')}`, tokenId: tokenId(), at: new Date(T0 + 1000) };
        assert.deepEqual(await store.claimIdempotencyKey(again), { claimed: false, requestHash: first.requestHash, tokenId: first.tokenId, claimedAt: first.at });
        assert.deepEqual(
          await store.claimIdempotencyKey({ ...first, at: new Date(T0 + 2000) }),
          { claimed: false, requestHash: first.requestHash, tokenId: first.tokenId, claimedAt: first.at },
          'the same claim again',
        );
        assert.equal(await store.findById(first.tokenId), null, 'a claim stores no token');
      },
    },
    {
      name: 'concurrent claims of one key: exactly one wins, and every other gets the winner’s requestHash and tokenId',
      async run(store) {
        const minter = randomUUID();
        const claims = Array.from({ length: 12 }, (_, i) => ({ minterAccountId: minter, key: 'retry-storm', requestHash: `0x${sha256(`body ${i}`)}`, tokenId: tokenId(), at: new Date(T0) }));
        const results = await Promise.all(claims.map((c) => store.claimIdempotencyKey(c)));
        const winners = results.flatMap((r, i) => (r.claimed ? [claims[i]!] : []));
        assert.equal(winners.length, 1, 'exactly one claim wins');
        const winner = winners[0]!;
        for (const r of results) if (!r.claimed) assert.deepEqual(r, { claimed: false, requestHash: winner.requestHash, tokenId: winner.tokenId, claimedAt: winner.at });
      },
    },
    {
      name: 'releaseIdempotencyKey frees the key for the next claim; releasing an unknown key does nothing',
      async run(store) {
        const minter = randomUUID();
        const claim = (n: number) => ({ minterAccountId: minter, key: 'k-1', requestHash: `0x${sha256(`body ${n}`)}`, tokenId: tokenId(), at: new Date(T0 + n) });
        await store.releaseIdempotencyKey(minter, 'never-claimed');
        const first = claim(1);
        assert.deepEqual(await store.claimIdempotencyKey(first), { claimed: true });
        await store.releaseIdempotencyKey(randomUUID(), 'k-1');
        assert.equal((await store.claimIdempotencyKey(claim(2))).claimed, false, 'another minter’s release leaves the key claimed');
        await store.releaseIdempotencyKey(minter, 'k-1');
        const second = claim(3);
        assert.deepEqual(await store.claimIdempotencyKey(second), { claimed: true }, 'claimable again after release');
        assert.deepEqual(await store.claimIdempotencyKey(claim(4)), { claimed: false, requestHash: second.requestHash, tokenId: second.tokenId, claimedAt: second.at });
      },
    },
    {
      name: 'releaseIdempotencyKey with a tokenId forgets only a claim that still points at that token',
      async run(store) {
        const minter = randomUUID();
        const claim = (n: number) => ({ minterAccountId: minter, key: 'stale', requestHash: `0x${sha256('body')}`, tokenId: tokenId(), at: new Date(T0 + n) });
        const crashed = claim(1);
        assert.deepEqual(await store.claimIdempotencyKey(crashed), { claimed: true });
        // Two retries take over the stale claim: the first releases it and claims anew; the
        // second's release names the crashed claim's token and must leave the fresh claim alone.
        await store.releaseIdempotencyKey(minter, 'stale', crashed.tokenId);
        const fresh = claim(2);
        assert.deepEqual(await store.claimIdempotencyKey(fresh), { claimed: true });
        await store.releaseIdempotencyKey(minter, 'stale', crashed.tokenId);
        assert.deepEqual(await store.claimIdempotencyKey(claim(3)), { claimed: false, requestHash: fresh.requestHash, tokenId: fresh.tokenId, claimedAt: fresh.at });
        await store.releaseIdempotencyKey(minter, 'stale', fresh.tokenId);
        assert.deepEqual(await store.claimIdempotencyKey(claim(4)), { claimed: true }, 'released by its own token id');
      },
    },
    {
      name: 'idempotency keys are per minter and exact (case-sensitive, whole key)',
      async run(store) {
        const minterA = randomUUID();
        const minterB = randomUUID();
        const claim = (minterAccountId: string, key: string) => ({ minterAccountId, key, requestHash: `0x${sha256(key)}`, tokenId: tokenId(), at: new Date(T0) });
        assert.deepEqual(await store.claimIdempotencyKey(claim(minterA, 'Key-1')), { claimed: true });
        assert.deepEqual(await store.claimIdempotencyKey(claim(minterB, 'Key-1')), { claimed: true }, 'another minter, the same key');
        for (const key of ['key-1', 'KEY-1', 'Key-', 'Key-10']) {
          assert.deepEqual(await store.claimIdempotencyKey(claim(minterA, key)), { claimed: true }, `"${key}" is another key than "Key-1"`);
        }
        // the service admits 1-128 printable ASCII characters without space (0x21-0x7e)
        const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
        const longest = `${printable}${printable}`.slice(0, 128);
        assert.deepEqual(await store.claimIdempotencyKey(claim(minterA, longest)), { claimed: true }, '128 printable ASCII characters');
        assert.equal((await store.claimIdempotencyKey(claim(minterA, longest))).claimed, false);
      },
    },
  ];
}
