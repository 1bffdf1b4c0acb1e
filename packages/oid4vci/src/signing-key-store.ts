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
  /** Keys not retired, oldest first. */
  listActive(): Promise<IssuerKeyRecord[]>;
  get(kid: string): Promise<IssuerKeyRecord | undefined>;
}
