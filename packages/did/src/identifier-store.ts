/** Where the key of a DID made by `create-did` lives. */
export type KeySource = 'custodial' | 'id-wallet';

/** A DID made by `create-did`. */
export interface IdentifierRecord {
  did: string;
  alias: string;
  /** Lower-case 0x address of its controller key. */
  address: string;
  keySource: KeySource;
  ownerAccountId: string | null;
  createdAt: Date;
}

export interface IdentifierStore {
  /** Stores the DID unless it exists; returns the stored one either way. */
  insertIfAbsent(identifier: IdentifierRecord): Promise<IdentifierRecord>;
  find(did: string): Promise<IdentifierRecord | null>;
}
