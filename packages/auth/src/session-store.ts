/** A sign-in: every access token names one (`sid`), and extending a token keeps it. */
export interface SessionRecord {
  id: string;
  accountId: string;
  /** The API key secret the session was opened with (an organization's exchange), else null. */
  apiKeyId: string | null;
  /** The original sign-in. */
  createdAt: Date;
  /** The absolute end: no token of the session is valid after it, however often extended. */
  expiresAt: Date;
  revokedAt: Date | null;
}

/** A session as an authenticated request sees it: with the state of its API key. */
export interface SessionState extends SessionRecord {
  /** The session came from an API key secret that is revoked (or rotated) now. */
  apiKeyRevoked: boolean;
}

/** Persistence of sessions, shared by every instance (revocation must reach all of them). */
export interface SessionStore {
  insert(session: SessionRecord): Promise<void>;
  /** The session and its API key's state in one read: every authenticated request does it. */
  find(id: string): Promise<SessionState | null>;
  /** Revokes the session unless it already is; true when this call revoked it. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Revokes every unrevoked session of the account except `exceptId`; returns how many. */
  revokeAccount(accountId: string, at: Date, exceptId?: string): Promise<number>;
  /** Deletes the sessions that ended before `before` (revoked or not: their tokens expired with them). */
  purgeExpired(before: Date): Promise<number>;
}
