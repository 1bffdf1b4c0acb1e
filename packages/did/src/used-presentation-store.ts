/** Presentations that already logged someone in, so the same VP cannot log in twice. */
export interface UsedPresentationStore {
  /** Remembers the presentation's hash; false when it was already used (a unique insert decides). */
  markUsed(hash: string, expiresAt: Date): Promise<boolean>;
  /** Forgets presentations whose time ended before `before` (they are too old to log in anyway). */
  purgeExpired(before: Date): Promise<number>;
}
