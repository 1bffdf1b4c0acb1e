/** Nonces handed out for sign-in messages, shared by every instance. */
export interface NonceStore {
  insert(nonceHash: string, createdAt: Date, expiresAt: Date): Promise<void>;
  /**
   * Uses the nonce up: one conditional DELETE of a live row, so of two concurrent uses one wins.
   * True when this call used it; false for an unknown, used or expired nonce.
   */
  consume(nonceHash: string, at: Date): Promise<boolean>;
  /** Deletes nonces that expired before `before`. */
  purgeExpired(before: Date): Promise<number>;
}
