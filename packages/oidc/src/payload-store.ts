/** A model instance node-oidc-provider stores: its payload and the two facts kept beside it. */
export interface StoredPayload {
  payload: Record<string, unknown>;
  /** When the (one-time) item was used, or null. */
  consumedAt: Date | null;
  /** Null: never expires (clients). */
  expiresAt: Date | null;
}

/**
 * Persistence of node-oidc-provider's models (`Session`, `Grant`, `AuthorizationCode`,
 * `AccessToken`, `RefreshToken`, `Interaction`, `Client`, …), keyed by model and id. Every
 * instance of the kit reads and writes the same rows, so any of them can answer any step of a
 * flow. Expired rows are never returned; housekeeping deletes them.
 */
export interface OidcPayloadStore {
  /** Inserts or replaces the payload (a replaced row keeps its `consumedAt`). */
  upsert(model: string, id: string, payload: Record<string, unknown>, expiresAt: Date | null): Promise<void>;
  find(model: string, id: string, now: Date): Promise<StoredPayload | null>;
  /** A session by its uid. */
  findByUid(model: string, uid: string, now: Date): Promise<StoredPayload | null>;
  /** A device code by its user code. */
  findByUserCode(model: string, userCode: string, now: Date): Promise<StoredPayload | null>;
  /**
   * Marks a live, unused item used, in one conditional write: of two concurrent calls exactly
   * one answers true. False when it is unknown, expired or already used.
   */
  consume(model: string, id: string, at: Date): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  /** Deletes every code and token of the grant (any model); returns how many. */
  revokeByGrantId(grantId: string): Promise<number>;
  /**
   * Deletes every session, grant, code and token of the account (any model whose payload names
   * it as `accountId`); returns how many.
   */
  revokeByAccountId(accountId: string): Promise<number>;
  /** Every live item of a model, oldest id first (the operator's client list). */
  list(model: string, now: Date): Promise<StoredPayload[]>;
  /** Deletes rows past their expiry (housekeeping); returns how many. */
  purgeExpired(now: Date): Promise<number>;
}
