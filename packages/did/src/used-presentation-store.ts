/** Presentations that already logged someone in, so the same VP cannot log in twice. */
export interface UsedPresentationStore {
  /**
   * Remembers the replay keys of a presentation's proofs (distinct), all or none; false when one
   * was already used. One insert decides, so of two concurrent uses sharing a key one wins.
   */
  markUsed(keys: readonly string[], expiresAt: Date): Promise<boolean>;
  /** Forgets presentations whose time ended before `before` (they are too old to log in anyway). */
  purgeExpired(before: Date): Promise<number>;
}
