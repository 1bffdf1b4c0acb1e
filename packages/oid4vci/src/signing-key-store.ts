export interface IssuerKeyRecord {
  kid: string;
  publicJwk: Record<string, unknown>;
  /** The private JWK sealed under the master key (encryption.encrypt). */
  privateSealed: string;
  createdAt: Date;
  retiredAt: Date | null;
}

/** The credential issuer's signing keys, shared by every instance. */
export interface IssuerKeyStore {
  /** Inserts a key; false when one with this kid exists. */
  insert(record: IssuerKeyRecord): Promise<boolean>;
  /** Keys not retired (the ones that may sign), oldest first. */
  listActive(): Promise<IssuerKeyRecord[]>;
  /** Every key, retired ones too (they stop signing, their credentials still verify), oldest first. */
  listAll(): Promise<IssuerKeyRecord[]>;
  /** Marks the key retired: it signs no more. */
  retire(kid: string, at: Date): Promise<void>;
  get(kid: string): Promise<IssuerKeyRecord | undefined>;
}
