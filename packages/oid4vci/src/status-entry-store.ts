/** An SD-JWT VC the kit issued, with its Token Status List entry. */
export interface IssuedSdJwtVc {
  id: string;
  accountId: string;
  offerId: string;
  createdBy: string;
  listId: number;
  idx: number;
  issuedAt: Date;
}

export type ReserveResult = { reserved: true } | { reserved: false; reason: 'entry_taken' };

/** The SD-JWT VCs issued and their status, shared by every instance. */
export interface StatusEntryStore {
  /** Records a credential at its entry; `entry_taken` when another credential holds (list, idx) already. */
  insert(credential: IssuedSdJwtVc): Promise<ReserveResult>;
  /** Drops the record of a credential whose signing failed. */
  remove(id: string): Promise<void>;
  find(listId: number, idx: number): Promise<(IssuedSdJwtVc & { revokedAt: Date | null }) | undefined>;
  /** Sets the entry to invalid; true when this call revoked it. */
  revoke(listId: number, idx: number, at: Date): Promise<boolean>;
  /** The indexes set to invalid in a list. */
  revokedIndexes(listId: number): Promise<number[]>;
}
