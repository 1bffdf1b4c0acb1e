export type OAuthProvider = 'facebook' | 'twitter';

/** An OAuth flow between `auth-url` and `verify`, as stored. */
export interface OAuthFlow {
  id: string;
  provider: OAuthProvider;
  /** Keyed hash of the flow's public key: Facebook's `state`, Twitter's request token. */
  keyHash: string;
  /** The Twitter request token and its secret, sealed with the kit's envelope encryption; null for Facebook. */
  sealedSecret: string | null;
  /** Keyed hash of what the provider sent the browser back with (Facebook code, Twitter verifier). */
  grantHash: string | null;
  createdAt: number;
  expiresAt: number;
  returnedAt: number | null;
  consumedAt: number | null;
}

export type NewOAuthFlow = Pick<OAuthFlow, 'id' | 'provider' | 'keyHash' | 'sealedSecret' | 'createdAt' | 'expiresAt'>;

/**
 * Finds the flow to claim: by the grant the redirect page recorded, or by the flow key (a
 * Twitter client that names its `oauth-token`), in which case a recorded grant must match.
 */
export type FlowLocator = { grantHash: string } | { keyHash: string; grantHash: string };

/**
 * Persistence of OAuth flows. Every state change is one conditional UPDATE, so a flow returns
 * once and is claimed once even when instances race.
 */
export interface OAuthFlowStore {
  insert(flow: NewOAuthFlow): Promise<void>;
  /**
   * The provider sent the browser back: binds the grant to the live flow with this key,
   * if it has not returned yet. False when there is no such flow (unknown, expired, used).
   */
  recordReturn(provider: OAuthProvider, keyHash: string, grantHash: string, at: number): Promise<boolean>;
  /** Claims a live, unclaimed flow, once; null when none matches. */
  claim(provider: OAuthProvider, locator: FlowLocator, at: number): Promise<OAuthFlow | null>;
  /** Deletes flows that expired before `before`; returns how many went. */
  purgeExpired(before: number): Promise<number>;
}
