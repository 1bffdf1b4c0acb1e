/** Key-binding JWTs already used, until they are too old to log in anyway. */
export interface UsedPresentationStore {
  /** Records the key; false when it was recorded already (one INSERT on a primary key: one caller wins). */
  markUsed(key: string, expiresAt: Date): Promise<boolean>;
  purgeExpired(before: Date): Promise<number>;
}
