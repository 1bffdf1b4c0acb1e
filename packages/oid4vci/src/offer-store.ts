export type OfferGrantType = 'pre-authorized_code' | 'authorization_code';

/** An offer as the services read it. */
export interface OfferRecord {
  id: string;
  accountId: string;
  createdBy: string;
  credentialConfigurationId: string;
  grantType: OfferGrantType;
  codeSealed: string;
  txCodeHash: string | null;
  txCodeAttempts: number;
  /** An authorization code offer goes offered → authorized (its issuer_state consumed by the OP's code). */
  state: 'offered' | 'token_issued' | 'credential_issued' | 'exhausted' | 'authorized';
  expiresAt: Date;
}

export type NewOffer = Omit<OfferRecord, 'txCodeAttempts' | 'state'> & { offerRefHash: string; codeHash: string; createdAt: Date };

/** The outcome of one tx_code try: counted (the offer's state then), or refused before comparing. */
export type TxCodeAttempt = { counted: true } | { counted: false; reason: 'exhausted' | 'not_redeemable' };

/**
 * Credential offers, shared by every instance. Each step of an offer is one conditional UPDATE
 * on its current state, so of two concurrent requests for the same step exactly one wins.
 */
export interface OfferStore {
  insert(offer: NewOffer): Promise<void>;
  get(offerId: string): Promise<OfferRecord | undefined>;
  /** The live offer of a reference whose document was not fetched yet (for its page), or undefined. */
  findUnfetched(offerRefHash: string, at: Date): Promise<OfferRecord | undefined>;
  /** Marks the offer document fetched; the offer when this call did it (live, never fetched), else undefined. */
  fetchOnce(offerRefHash: string, at: Date): Promise<OfferRecord | undefined>;
  /** The live, still-offered authorization code offer of an issuer_state (digest), or undefined. */
  findIssuerState(codeHash: string, at: Date): Promise<OfferRecord | undefined>;
  /** offered → authorized for the offer's own account; true when this call consumed the issuer_state. */
  authorize(codeHash: string, accountId: string, at: Date): Promise<boolean>;
  /** The live, still-offered offer of a pre-authorized code, or undefined. */
  findRedeemable(codeHash: string, at: Date): Promise<OfferRecord | undefined>;
  /** Counts one tx_code try, only while fewer than `max` were made; the last allowed wrong try is counted, then `exhausted`. */
  countTxCodeAttempt(offerId: string, max: number, at: Date): Promise<TxCodeAttempt>;
  /** Marks the offer used up after its last wrong tx_code. */
  exhaust(offerId: string): Promise<void>;
  /** offered → token_issued; true when this call redeemed the code. */
  redeem(offerId: string, at: Date): Promise<boolean>;
  /** token_issued → credential_issued; true when this call claimed the one credential of the offer. */
  claimCredential(offerId: string): Promise<boolean>;
  /** Gives a claimed credential back when signing failed, so the wallet may try again. */
  releaseCredential(offerId: string): Promise<void>;
  purgeExpired(before: Date): Promise<number>;
}
