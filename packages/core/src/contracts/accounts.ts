import { Type } from '@sinclair/typebox';
import type { Context } from 'koa';

/**
 * Contracts between plugins about accounts. @w3kit/auth implements them and registers them
 * in the container (`authenticator`, `accountDirectory`); other plugins (nft, did) use them
 * through the container and never import auth itself.
 */

export type AccountType = 'end_user' | 'organization';

/** Who is making a request, from a verified access token. */
export interface Principal {
  accountId: string;
  accountType: AccountType;
  /** The session the token belongs to, for logout (@w3kit/auth's tokens always name one). */
  sessionId?: string;
}

export interface Authenticator {
  /** The principal of the request's `Authorization: Bearer` token; null without one; 401 INVALID_TOKEN for a bad one. */
  authenticate(ctx: Context): Promise<Principal | null>;
  /** Like `authenticate`, but 401 UNAUTHENTICATED when the request carries no token. */
  require(ctx: Context): Promise<Principal>;
}

/** A secp256k1 public key as a JWK (no private part, ever). */
export interface PublicKeyJwk {
  kty: 'EC';
  crv: 'secp256k1';
  x: string;
  y: string;
}

/** What other plugins may know of an account. */
export interface AccountSummary {
  id: string;
  accountType: AccountType;
  /** The Finenex login id, if any. */
  loginId: string | null;
  name: string | null;
  email: string | null;
  phoneNumber: string | null;
  imageUrl: string | null;
  /** Organizations: the domain set at creation, and whether its TXT record was verified. */
  domain: string | null;
  domainVerified: boolean;
  /** The ID wallet (EIP-55 checksummed address), when the account has one. */
  walletAddress: string | null;
  walletPublicKeyJwk: PublicKeyJwk | null;
}

/** The typed data of an EIP-712 signature (ethers' `TypedDataDomain`/`TypedDataField` shapes). */
export interface TypedDataRequest {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  value: Record<string, unknown>;
}

/** The body both Finenex login endpoints answer (`/auth/auth-user`, `/auth/auth-user-with-vp`, …), for route schemas. */
export const LoginResultSchema = Type.Object({
  token: Type.String(),
  userId: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  telNo: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
});

/** The login result both Finenex login endpoints return. */
export interface LoginResult {
  token: string;
  userId: string;
  name: string | null;
  telNo: string | null;
  email: string | null;
  imageUrl: string | null;
}

export interface AccountDirectory {
  get(accountId: string): Promise<AccountSummary | null>;
  /**
   * The accounts among `accountIds` that exist, in no particular order, read in one query: a page
   * of NFTs names up to a hundred minters, and one read each was most of a listing's round trips.
   */
  getMany(accountIds: readonly string[]): Promise<AccountSummary[]>;
  findByWalletAddress(address: string): Promise<AccountSummary | null>;
  /** Finds an account by its Finenex login id (or email). */
  findByLoginId(loginId: string): Promise<AccountSummary | null>;
  /** The account's ID wallet (created if the account has none yet); 404 for an unknown account. */
  walletOf(accountId: string): Promise<{ address: string; publicKeyJwk: PublicKeyJwk }>;
  /** Signs EIP-712 typed data with the account's ID wallet; the private key never leaves auth. */
  signTypedData(accountId: string, request: TypedDataRequest): Promise<string>;
  /** Signs an Ethereum personal message with the account's ID wallet. */
  signMessage(accountId: string, message: string | Uint8Array): Promise<string>;
  /** Issues an access token for the account and returns the Finenex login result (used by VP login). */
  login(accountId: string): Promise<LoginResult>;
  /**
   * Signs up an end user who has no login id, email or password: one who signs in through another
   * plugin only (Sign-In with Ethereum). The account gets an ID wallet like every other.
   */
  createExternalLoginEndUser(input?: { name?: string }): Promise<AccountSummary>;
}
