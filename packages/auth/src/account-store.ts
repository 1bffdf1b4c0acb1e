import type { AccountType } from '@w3kit/core';

/** The ID wallet of an account: its private key only ever as an envelope ciphertext. */
export interface WalletRecord {
  /** EIP-55 checksummed address. */
  address: string;
  /** Uncompressed secp256k1 public key, 0x04… hex. */
  publicKey: string;
  encryptedPrivateKey: string;
  createdAt: Date;
}

export interface AccountRecord {
  id: string;
  accountType: AccountType;
  /** Finenex user type (store, employee, platform, customer, root), when set. */
  role: string | null;
  /**
   * As the account was created (shown as `userId`, `preferred_username`). Logins find it by its
   * normalized form (`normalizeIdentifier` of @w3kit/core), which the store keeps beside it.
   */
  loginId: string | null;
  /** Normalized (`normalizeIdentifier` of @w3kit/core). */
  email: string | null;
  emailVerified: boolean;
  passwordHash: string | null;
  name: string | null;
  phoneNumber: string | null;
  phoneVerified: boolean;
  imageUrl: string | null;
  /** Other OIDC standard claims (given_name, locale, …). */
  claims: Record<string, unknown>;
  domain: string | null;
  domainVerified: boolean;
  domainTxtToken: string | null;
  wallet: WalletRecord | null;
  createdAt: Date;
  updatedAt: Date;
}

/** How an association came about: the end user confirmed on the association page, or the organization imported their email. */
export type AssociationVia = 'association_page' | 'import' | 'unknown';

/** One organization an end user is associated with. */
export interface AssociationRecord {
  organizationId: string;
  organizationName: string | null;
  domain: string | null;
  domainVerified: boolean;
  via: AssociationVia;
  createdAt: Date;
}

export type AccountPatch = Partial<Pick<AccountRecord, 'name' | 'phoneNumber' | 'phoneVerified' | 'passwordHash' | 'domainVerified' | 'domainTxtToken' | 'emailVerified'>>;

/** Persistence of accounts, their ID wallets and organization associations. */
export interface AccountStore {
  /** Inserts a new account; throws ACCOUNT_EXISTS (409) when its login id, email or wallet is taken. */
  insert(account: AccountRecord): Promise<void>;
  findById(id: string): Promise<AccountRecord | null>;
  /** The accounts with these ids, in no particular order; unknown ids are left out, none asked: none. */
  findByIds(ids: readonly string[]): Promise<AccountRecord[]>;
  /** The account whose login id normalizes to exactly `normalizedLoginId`: no folding of its own. */
  findByLoginId(normalizedLoginId: string): Promise<AccountRecord | null>;
  /** The account with exactly this (normalized) email. */
  findByEmail(email: string): Promise<AccountRecord | null>;
  findByWalletAddress(address: string): Promise<AccountRecord | null>;
  update(id: string, patch: AccountPatch, at: Date): Promise<void>;
  /** Gives the account a wallet unless it has one already; true when this call set it. */
  setWalletIfMissing(id: string, wallet: WalletRecord, at: Date): Promise<boolean>;
  /** Stores the organization's domain TXT token unless it has one already; true when this call set it. */
  setDomainTxtTokenIfMissing(id: string, token: string, at: Date): Promise<boolean>;
  /** Records that the end user is associated with the organization; idempotent (the first record, and how it came about, stays): true when this call recorded it. */
  associate(organizationId: string, endUserId: string, via: Exclude<AssociationVia, 'unknown'>, at: Date): Promise<boolean>;
  isAssociated(organizationId: string, endUserId: string): Promise<boolean>;
  /** The organizations the end user is associated with, oldest first. */
  associationsOf(endUserId: string): Promise<AssociationRecord[]>;
}
