/** c_nonces from the nonce endpoint, shared by every instance. */
export interface NonceStore {
  insert(nonceHash: string, expiresAt: Date): Promise<void>;
  /** Uses the nonce up: one conditional DELETE of a live row. True when this call used it. */
  consume(nonceHash: string, at: Date): Promise<boolean>;
  purgeExpired(before: Date): Promise<number>;
}
