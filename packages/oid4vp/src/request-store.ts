export type RequestState = 'created' | 'fetched' | 'completed' | 'failed' | 'collected';
export type ResponseMode = 'direct_post' | 'direct_post.jwt';
export type Flow = 'cross_device' | 'same_device';

export interface RequestRecord {
  id: string;
  responseId: string;
  nonce: string;
  responseMode: ResponseMode;
  flow: Flow;
  redirectUri: string | null;
  requestObject: string;
  /** Sealed private JWK (direct_post.jwt only). */
  encryptionKey: string | null;
  resultTokenHash: string;
  responseCodeHash: string | null;
  state: RequestState;
  accountId: string | null;
  failure: string | null;
  createdAt: Date;
  expiresAt: Date;
  completedAt: Date | null;
  resultExpiresAt: Date | null;
}

export interface Completion {
  id: string;
  accountId: string;
  /** The presentation's replay key, kept in the request's row under a unique index. */
  presentationKey: string;
  at: Date;
  resultExpiresAt: Date;
  responseCodeHash: string | null;
}

/** Every transition is one conditional UPDATE, so concurrent calls on any instance cannot both win. */
export interface RequestStore {
  insert(request: RequestRecord): Promise<void>;
  find(id: string): Promise<RequestRecord | null>;
  findByResponseId(responseId: string): Promise<RequestRecord | null>;
  /** created and unexpired → fetched: the request object is handed out once; its text, or null. */
  fetch(id: string, at: Date): Promise<string | null>;
  /**
   * fetched and unexpired → completed for the account, recording the presentation's replay key in
   * the same UPDATE: 'replayed' when another request holds that key already (a unique index),
   * 'not-fetched' when this request was answered meanwhile or expired.
   */
  complete(completion: Completion): Promise<'completed' | 'replayed' | 'not-fetched'>;
  /** fetched → failed, with the reason: a request takes one answer. */
  fail(id: string, failure: string, at: Date, resultExpiresAt: Date): Promise<boolean>;
  /** completed and collectable → collected: true for exactly one caller. */
  collect(id: string, at: Date): Promise<boolean>;
  /** Deletes requests whose wait and result time both ended before `before`. */
  purgeExpired(before: Date): Promise<number>;
}
