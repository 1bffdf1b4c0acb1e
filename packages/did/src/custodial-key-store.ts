/** A secp256k1 key the kit holds for someone (`create-address`); the private key only as a ciphertext. */
export interface CustodialKeyRecord {
  /** Lower-case 0x address. */
  address: string;
  /** Uncompressed public key hex (0x04…). */
  publicKey: string;
  /** Envelope ciphertext bound to the address. */
  encryptedPrivateKey: string;
  /** SHA-256 (hex) of the secretKey shown once at creation. */
  secretHash: string;
  /** The account that created it with its bearer token, if any; that token also authorizes its use. */
  ownerAccountId: string | null;
  createdAt: Date;
}

export interface CustodialKeyStore {
  insert(key: CustodialKeyRecord): Promise<void>;
  /** By address, any casing. */
  find(address: string): Promise<CustodialKeyRecord | null>;
}
