/** A Bitstring Status List of one issuer and purpose; its bits are the revoked credentials' entries. */
export interface StatusListRecord {
  id: string;
  issuerDid: string;
  /** `revocation` (the only purpose the kit uses). */
  purpose: string;
  /** Entries (bits) in the list. */
  length: number;
  /** Entries handed out so far. */
  allocated: number;
  createdAt: Date;
}

export interface StatusListStore {
  insert(list: StatusListRecord): Promise<void>;
  find(id: string): Promise<StatusListRecord | null>;
  /** The newest list of the issuer and purpose with room left below `capacity`, if any. */
  findOpen(issuerDid: string, purpose: string, capacity: number): Promise<StatusListRecord | null>;
  /** Takes one entry of the list in a conditional UPDATE; false when it is full (another request took the last one). */
  reserveEntry(listId: string, capacity: number): Promise<boolean>;
}
