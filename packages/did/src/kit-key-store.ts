/** What a kit key is for: signing credentials as the kit's issuer, or naming the kit as a verifier. */
export type KitKeyRole = 'issuer' | 'verifier';
/** secp256k1 (did:ethr, ES256K JWTs), Ed25519 and P-256 (did:key, Data Integrity). */
export type KeyType = 'secp256k1' | 'Ed25519' | 'P-256';

/** One of the kit's own keys; the private part only as an envelope ciphertext bound to the DID. */
export interface KitKeyRecord {
  did: string;
  role: KitKeyRole;
  keyType: KeyType;
  alias: string;
  /** secp256k1: uncompressed public key hex (0x04…); did:key keys: the multibase public key. */
  publicKey: string;
  encryptedPrivateKey: string;
  createdAt: Date;
}

export interface KitKeyStore {
  list(): Promise<KitKeyRecord[]>;
  /**
   * Stores the key unless one of the same role and type exists, and returns the stored one:
   * of two instances starting at once, both end up with the same key.
   */
  insertIfAbsent(key: KitKeyRecord): Promise<KitKeyRecord>;
}
