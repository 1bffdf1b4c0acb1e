import type { KeyType } from './kit-key-store.js';

/** An organization's own issuer key (VC-API issuance); the private part only as an envelope ciphertext bound to the DID. */
export interface OrganizationKeyRecord {
  did: string;
  /** The organization's account id. */
  accountId: string;
  keyType: KeyType;
  /** secp256k1: uncompressed public key hex (0x04…); did:key keys: the multibase public key. */
  publicKey: string;
  encryptedPrivateKey: string;
  createdAt: Date;
}

export interface OrganizationKeyStore {
  /** The organization's keys, oldest first. */
  listFor(accountId: string): Promise<OrganizationKeyRecord[]>;
  find(did: string): Promise<OrganizationKeyRecord | null>;
  /**
   * Stores the key unless the organization has one of that type, and returns the stored one:
   * of two instances creating it at once, both end up with the same key.
   */
  insertIfAbsent(key: OrganizationKeyRecord): Promise<OrganizationKeyRecord>;
}
