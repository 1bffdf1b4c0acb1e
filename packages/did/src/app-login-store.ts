/**
 * A website login through an app: `pending` until a VP completes it (or it is cancelled or
 * expires), `completed` until the site collects the result once, then `collected`.
 */
export type AppLoginState = 'pending' | 'completed' | 'cancelled' | 'collected';

export interface AppLoginRecord {
  /** The random id after `requestId=`. */
  id: string;
  /** The full requestId handed out (site URL + `requestId=<id>`): the VP's challenge. */
  requestId: string;
  /** SHA-256 (hex) of the resultToken handed to the site. */
  resultTokenHash: string;
  state: AppLoginState;
  accountId: string | null;
  createdAt: Date;
  /** The end of the wait: no VP completes it after this. */
  expiresAt: Date;
  completedAt: Date | null;
  /** The end of the time the completed result can be collected in. */
  resultExpiresAt: Date | null;
  collectedAt: Date | null;
}

/** Every transition is one conditional UPDATE, so concurrent requests on any instance cannot both win. */
export interface AppLoginStore {
  insert(login: AppLoginRecord): Promise<void>;
  find(id: string): Promise<AppLoginRecord | null>;
  /** pending and unexpired → completed for the account. */
  complete(id: string, accountId: string, at: Date, resultExpiresAt: Date): Promise<boolean>;
  /** pending → cancelled. */
  cancel(id: string, at: Date): Promise<boolean>;
  /** completed and collectable → collected: true for exactly one caller. */
  collect(id: string, at: Date): Promise<boolean>;
  /** Deletes logins whose wait and result time both ended before `before`. */
  purgeExpired(before: Date): Promise<number>;
}
