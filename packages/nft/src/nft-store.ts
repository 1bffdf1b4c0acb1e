import type { KitDatabase } from '@w3kit/core';
import type { SearchField } from './tables.js';

export type Visibility = 'public' | 'private';

/** The Web3Connect document's metadata: `static` (required fields) and `dynamic` (documented and any other keys). */
export interface NftMetadata {
  static: Record<string, unknown>;
  dynamic: Record<string, unknown>;
}

/**
 * A stored NFT. A store gives back exactly what it was given (`findById` after `insert` is
 * deep-equal): dates to the millisecond, `metadata` as far as JSON carries it, addresses in
 * their EIP-55 casing. Stored and returned records are copies: changing one later changes
 * nothing stored.
 */
export interface NftRecord {
  /** 0x + 64 lower-case hex (the service lower-cases ids before every lookup). */
  tokenId: string;
  /** EIP-55 address of the holder's ID wallet; listings compare it as given (the service passes the checksummed form). */
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
  /**
   * On `createdAt`; tokens created in the same millisecond are ordered by `tokenId` in the same
   * direction, so pages never repeat or skip a token. Page `n` is items `(n-1)·perPage + 1 …
   * n·perPage` of that order; a page past the end is empty.
   */
  order: 'asc' | 'desc';
}

/**
 * Values for the searchable fields; absent fields are ignored, several fields must all match
 * (AND). Matching is exact: the whole value, case-sensitive, no wildcards, no trimming or
 * Unicode normalization, whatever its length (a 10,000-character description matches only
 * itself). The stored value of `issuer`, `contents_provider`, `name` and `description` is the
 * one in `metadata.static` (a dynamic key of the same name does not shadow it); of every other
 * field, the one in `metadata.dynamic`. A token without the field matches no filter on it. The
 * mint schema makes every search field a string.
 */
export type SearchFilter = Partial<Record<SearchField, string>>;

/**
 * Which of a holder's tokens a listing returns: `all` (the holder itself), `public`, or
 * `publicOrMintedBy` (public ones plus every token the given minter minted for this holder).
 */
export type HolderScope = { kind: 'all' } | { kind: 'public' } | { kind: 'publicOrMintedBy'; minterAccountId: string };

/** What a claim of an idempotency key found: the key is ours now, or who claimed it first and when. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; requestHash: string; tokenId: string; claimedAt: Date };

/**
 * Persistence of NFTs, their listings and searches, and mint idempotency keys. Every
 * implementation must pass the conformance suite in `@w3kit/nft/testing`, which pins the
 * behaviour documented here.
 */
export interface NftStore {
  /** Stores a new token (the service never inserts an id twice: ids are 32 random bytes). */
  insert(token: NftRecord): Promise<void>;
  /** Bulk insert (seeding, imports); an empty list stores nothing. */
  insertMany(tokens: readonly NftRecord[]): Promise<void>;
  /** The token with exactly this id, or null. */
  findById(tokenId: string): Promise<NftRecord | null>;
  /** Tokens held by `holderAddress` that `scope` lets through, in page order. */
  listByHolder(holderAddress: string, scope: HolderScope, page: PageRequest): Promise<NftRecord[]>;
  /** Tokens minted by the account, public and private, matching `filter` (`{}`: all), in page order. */
  listByMinter(minterAccountId: string, filter: SearchFilter, page: PageRequest): Promise<NftRecord[]>;
  /** Public tokens matching `filter` (`{}`: all public tokens), in page order. Private ones never. */
  searchPublic(filter: SearchFilter, page: PageRequest): Promise<NftRecord[]>;
  /** Changes only the visibility; every listing and search sees the change at once. An unknown id is a no-op. */
  setVisibility(tokenId: string, visibility: Visibility): Promise<void>;
  /**
   * Claims an idempotency key for a mint, or tells what claimed it first: the first claim of
   * `(minterAccountId, key)` wins and is kept until released; every later claim gets the
   * winner's `requestHash`, `tokenId` and `claimedAt` (the winner's `at`), whose token may not
   * be inserted yet: the service then answers "in progress", or takes over a claim too old to
   * still be in progress. Atomic: of concurrent claims — from one process or from several
   * instances sharing the store — exactly one wins. Keys are exact (case-sensitive) and per
   * minter: two minters may use the same key.
   */
  claimIdempotencyKey(claim: { minterAccountId: string; key: string; requestHash: string; tokenId: string; at: Date }): Promise<IdempotencyClaim>;
  /**
   * Forgets a claim (the service releases the key when a mint fails after claiming it), so a
   * retry can claim it again. With `tokenId`, only a claim that still points at that token is
   * forgotten: two retries taking over one stale claim cannot release each other's fresh claim.
   * An unknown key is a no-op.
   */
  releaseIdempotencyKey(minterAccountId: string, key: string, tokenId?: string): Promise<void>;
  /**
   * Runs `work` in one database transaction, with a store bound to it and the transaction itself
   * (for a ledger's outbox row): everything commits together or nothing does. Optional: a store
   * without it cannot be composed with a chain (the nft plugin refuses at startup).
   */
  transaction?<T>(work: (store: NftStore, within: KitDatabase) => Promise<T>): Promise<T>;
}
