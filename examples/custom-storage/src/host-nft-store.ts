import type Database from 'better-sqlite3';
import { SEARCH_FIELDS, type HolderScope, type NftMetadata, type NftRecord, type NftStore, type PageRequest, type SearchField, type SearchFilter } from '@w3kit/nft';
import type { HostDatabase } from './host-database.js';

/** A row of the host's `credentials` table. */
interface CredentialRow {
  id: string;
  owner_wallet: string;
  issuer_id: string;
  is_public: 0 | 1;
  issued_at: number;
  document: string;
}

/** What the host keeps in `credentials.document`: the parts of a credential it never queries by. */
interface CredentialDocument {
  holderAccountId: string;
  minterAddress: string;
  expiredAt: string;
  metadata: NftMetadata;
  metadataHash: string;
  minterSignature: string;
}

/** The four search fields the NftStore contract reads from `metadata.static` (see `SearchFilter`); the rest are dynamic. */
const STATIC_SEARCH_FIELDS: ReadonlySet<SearchField> = new Set(['issuer', 'contents_provider', 'name', 'description']);

/**
 * The SQL that reads a search field out of the document. The path is a literal, not a bound
 * parameter, so the expression matches the one of the `credentials_by_category` index. Field
 * names come from `SEARCH_FIELDS` only, never from the request.
 */
const fieldValue = (field: SearchField) => `json_extract(document, '$.metadata.${STATIC_SEARCH_FIELDS.has(field) ? 'static' : 'dynamic'}.${field}')`;

function toRecord(row: CredentialRow): NftRecord {
  const doc = JSON.parse(row.document) as CredentialDocument;
  return {
    tokenId: row.id,
    holderAddress: row.owner_wallet,
    holderAccountId: doc.holderAccountId,
    minterAccountId: row.issuer_id,
    minterAddress: doc.minterAddress,
    visibility: row.is_public === 1 ? 'public' : 'private',
    createdAt: new Date(row.issued_at),
    expiredAt: new Date(doc.expiredAt),
    metadata: doc.metadata,
    metadataHash: doc.metadataHash,
    minterSignature: doc.minterSignature,
  };
}

function toRow(token: NftRecord): CredentialRow {
  const document: CredentialDocument = {
    holderAccountId: token.holderAccountId,
    minterAddress: token.minterAddress,
    expiredAt: token.expiredAt.toISOString(),
    metadata: token.metadata,
    metadataHash: token.metadataHash,
    minterSignature: token.minterSignature,
  };
  return {
    id: token.tokenId,
    owner_wallet: token.holderAddress,
    issuer_id: token.minterAccountId,
    is_public: token.visibility === 'public' ? 1 : 0,
    issued_at: token.createdAt.getTime(),
    document: JSON.stringify(document),
  };
}

/**
 * The kit's `NftStore` on the host's own `credentials` table, through better-sqlite3 directly.
 * It passes `@w3kit/nft/testing`'s conformance suite, which is what lets the kit's NFT service
 * run on it unchanged. Exact-match search is SQLite's `=` on the JSON value (BINARY collation:
 * case-sensitive, whole value, any length).
 */
export function createHostNftStore(db: HostDatabase): NftStore {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };

  const insert = db.prepare('INSERT INTO credentials (id, owner_wallet, issuer_id, is_public, issued_at, document) VALUES (@id, @owner_wallet, @issuer_id, @is_public, @issued_at, @document)');
  const insertAll = db.transaction((tokens: readonly NftRecord[]) => tokens.forEach((t) => insert.run(toRow(t))));
  const byId = db.prepare('SELECT * FROM credentials WHERE id = ?');
  const setPublic = db.prepare('UPDATE credentials SET is_public = ? WHERE id = ?');
  const claimKey = db.prepare('INSERT INTO credential_mint_keys (issuer_id, mint_key, request_hash, credential_id, claimed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issuer_id, mint_key) DO NOTHING');
  const firstClaim = db.prepare('SELECT request_hash, credential_id, claimed_at FROM credential_mint_keys WHERE issuer_id = ? AND mint_key = ?');
  const releaseKey = db.prepare('DELETE FROM credential_mint_keys WHERE issuer_id = ? AND mint_key = ?');
  const releaseKeyOf = db.prepare('DELETE FROM credential_mint_keys WHERE issuer_id = ? AND mint_key = ? AND credential_id = ?');
  // One write transaction: another process on the same file cannot release the key between the two statements.
  const claim = db.transaction((issuer: string, key: string, requestHash: string, tokenId: string, at: number) => {
    if (claimKey.run(issuer, key, requestHash, tokenId, at).changes === 1) return { claimed: true } as const;
    const first = firstClaim.get(issuer, key) as { request_hash: string; credential_id: string; claimed_at: number };
    return { claimed: false, requestHash: first.request_hash, tokenId: first.credential_id, claimedAt: new Date(first.claimed_at) } as const;
  });

  /** One page of the rows matching every condition, in (issued_at, id) order. */
  function page(conditions: string[], params: unknown[], { perPage, page: n, order }: PageRequest): NftRecord[] {
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    const sql = `SELECT * FROM credentials WHERE ${conditions.join(' AND ')} ORDER BY issued_at ${direction}, id ${direction} LIMIT ? OFFSET ?`;
    return (prepare(sql).all(...params, perPage, (n - 1) * perPage) as CredentialRow[]).map(toRecord);
  }

  function withFilter(conditions: string[], params: unknown[], filter: SearchFilter): [string[], unknown[]] {
    const fields = SEARCH_FIELDS.filter((field) => filter[field] !== undefined);
    return [
      [...conditions, ...fields.map((field) => `${fieldValue(field)} = ?`)],
      [...params, ...fields.map((field) => filter[field])],
    ];
  }

  const scopeCondition = (scope: HolderScope): [string[], unknown[]] =>
    scope.kind === 'all' ? [[], []] : scope.kind === 'public' ? [['is_public = 1'], []] : [['(is_public = 1 OR issuer_id = ?)'], [scope.minterAccountId]];

  return {
    async insert(token) {
      insert.run(toRow(token));
    },
    async insertMany(tokens) {
      insertAll(tokens);
    },
    async findById(tokenId) {
      const row = byId.get(tokenId) as CredentialRow | undefined;
      return row ? toRecord(row) : null;
    },
    async listByHolder(holderAddress, scope, request) {
      const [conditions, params] = scopeCondition(scope);
      return page(['owner_wallet = ?', ...conditions], [holderAddress, ...params], request);
    },
    async listByMinter(minterAccountId, filter, request) {
      return page(...withFilter(['issuer_id = ?'], [minterAccountId], filter), request);
    },
    async searchPublic(filter, request) {
      return page(...withFilter(['is_public = 1'], [], filter), request);
    },
    async setVisibility(tokenId, visibility) {
      setPublic.run(visibility === 'public' ? 1 : 0, tokenId);
    },
    async claimIdempotencyKey({ minterAccountId, key, requestHash, tokenId, at }) {
      return claim.immediate(minterAccountId, key, requestHash, tokenId, at.getTime());
    },
    async releaseIdempotencyKey(minterAccountId, key, tokenId) {
      if (tokenId === undefined) releaseKey.run(minterAccountId, key);
      else releaseKeyOf.run(minterAccountId, key, tokenId);
    },
  };
}
