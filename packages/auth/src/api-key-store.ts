/** Persistence of organizations' API key secrets, as SHA-256 hashes only. */
export interface ApiKeyStore {
  insert(key: { id: string; accountId: string; secretHash: string; createdAt: Date }): Promise<void>;
  /** The account of an unrevoked key with this hash. */
  findActive(secretHash: string): Promise<{ id: string; accountId: string } | null>;
  /** Revokes every unrevoked key of the account; returns how many. */
  revokeAll(accountId: string, at: Date): Promise<number>;
}
