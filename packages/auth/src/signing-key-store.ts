/** A token signing key; the private JWK only as an envelope ciphertext. */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  publicJwk: string;
  encryptedPrivateJwk: string;
  createdAt: Date;
  /** When a newer key took over signing; the key still verifies tokens it signed. */
  rotatedAt: Date | null;
  /** When the key stopped verifying too. */
  retiredAt: Date | null;
}

export interface SigningKeyStore {
  insert(key: SigningKeyRecord): Promise<void>;
  /** Keys not retired, newest first. */
  listUnretired(): Promise<SigningKeyRecord[]>;
  /** Marks every unrotated key but `exceptKid` as rotated. */
  markRotated(exceptKid: string, at: Date): Promise<void>;
  /**
   * Retires the key if a newer key took over signing and it is not retired yet; true when this
   * call retired it (false: unknown, already retired, or still the signing key).
   */
  retire(kid: string, at: Date): Promise<boolean>;
}
