import type { SearchField } from './schema.js';

export type Visibility = 'public' | 'private';

/** The seed's metadata: `static` (required fields) and `dynamic` (documented and any other keys). */
export interface NftMetadata {
  static: Record<string, unknown>;
  dynamic: Record<string, unknown>;
}

export interface NftRecord {
  /** 0x + 64 hex. */
  tokenId: string;
  /** EIP-55 address of the holder's ID wallet. */
  holderAddress: string;
  holderAccountId: string;
  minterAccountId: string;
  minterAddress: string;
  visibility: Visibility;
  createdAt: Date;
  expiredAt: Date;
  metadata: NftMetadata;
  /** keccak256 of the canonical JSON of the metadata (signed by the minter). */
  metadataHash: string;
  minterSignature: string;
}

export interface PageRequest {
  /** Items per page (1…100). */
  perPage: number;
  /** 1-based page number. */
  page: number;
  /** On `created_at`, ties broken by `token_id`. */
  order: 'asc' | 'desc';
}

/** Exact-match values for the searchable fields; absent fields are ignored. */
export type SearchFilter = Partial<Record<SearchField, string>>;

/** Who may see what of a holder's tokens. */
export type HolderScope = { kind: 'all' } | { kind: 'public' } | { kind: 'publicOrMintedBy'; minterAccountId: string };

export type IdempotencyClaim = { claimed: true } | { claimed: false; requestHash: string; tokenId: string };

/** Persistence of NFTs, their listings and searches, and mint idempotency keys. */
export interface NftStore {
  insert(token: NftRecord): Promise<void>;
  /** Bulk insert (seeding, imports). */
  insertMany(tokens: readonly NftRecord[]): Promise<void>;
  findById(tokenId: string): Promise<NftRecord | null>;
  listByHolder(holderAddress: string, scope: HolderScope, page: PageRequest): Promise<NftRecord[]>;
  listByMinter(minterAccountId: string, filter: SearchFilter, page: PageRequest): Promise<NftRecord[]>;
  searchPublic(filter: SearchFilter, page: PageRequest): Promise<NftRecord[]>;
  setVisibility(tokenId: string, visibility: Visibility): Promise<void>;
  /** Claims an idempotency key for a mint, or tells what claimed it first. */
  claimIdempotencyKey(claim: { minterAccountId: string; key: string; requestHash: string; tokenId: string; at: Date }): Promise<IdempotencyClaim>;
  releaseIdempotencyKey(minterAccountId: string, key: string): Promise<void>;
}
