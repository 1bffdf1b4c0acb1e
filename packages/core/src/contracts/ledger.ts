import type { KitDatabase } from '../database/create-database.js';

/** Where a token's chain job stands: written, sent (with a nonce), final after N blocks, or given up. */
export type LedgerStatus = 'pending' | 'submitted' | 'confirmed' | 'failed';

/** The chain side of one token, as the NFT object's `chain` extension field shows it. */
export interface LedgerState {
  status: LedgerStatus;
  /** The hash of the transaction last sent for it (a gas bump or a re-send changes it); null before sending. */
  tx_hash: string | null;
  /** The block that holds it; null until mined (and again after a reorg dropped it). */
  block_number: number | null;
  /** Why it failed (`failed` only): a revert reason, or the RPC error class after the bounded retries. */
  error: string | null;
}

/** What a mint puts on chain. */
export interface LedgerMint {
  /** The kit's 32-byte token id, `0x` + 64 hex: the ERC-721 token id (uint256). */
  tokenId: string;
  /** The holder's ID wallet address: the token's owner. */
  owner: string;
  /** The kit's `token_uri`: the ERC-721 `tokenURI`. */
  tokenUri: string;
  /** `metadata.static.expired_at`: the on-chain expiry. */
  expiresAt: Date;
}

/**
 * An optional ledger of credential NFTs (a chain). Without one the kit is database only, as
 * before. @w3kit/chain implements it on an EVM and registers it as `ledger` when composed; the
 * nft plugin uses it then and never imports it.
 *
 * `mint` and `burn` only record the intent, inside the caller's database transaction (`within`):
 * the token and its chain job are written together or not at all (an outbox), and the ledger
 * sends it later, from any instance.
 */
export interface Ledger {
  /** Records the mint of a token. A second mint of the same token id is a no-op. */
  mint(within: KitDatabase, token: LedgerMint): Promise<void>;
  /** Records the burn (revocation) of a token minted on chain. A second burn is a no-op. */
  burn(within: KitDatabase, tokenId: string): Promise<void>;
  /** The chain state of each token's mint, by token id; tokens without one are absent. */
  status(tokenIds: readonly string[]): Promise<Map<string, LedgerState>>;
}
