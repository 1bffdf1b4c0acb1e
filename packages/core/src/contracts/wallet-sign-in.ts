/**
 * Sign-In with Ethereum, as other plugins use it. @w3kit/siwe implements it and registers it as
 * `siweVerifier` when it is composed; auth's association page and the oidc login page offer
 * "sign in with your wallet" only then, and never import siwe itself.
 */
export interface SiweVerifier {
  /** A fresh one-time nonce for an EIP-4361 message, tied to no address; and the statement the message must carry, when the server requires one. */
  issueNonce(): Promise<{ nonce: string; expiresAt: Date; statement?: string }>;
  /**
   * Checks a signed EIP-4361 message (origin, chain, statement, times, nonce used up, signature
   * by ecrecover, EIP-1271 or EIP-6492) and answers the account the address belongs to, signing
   * one up when the siwe plugin allows it. Throws the siwe plugin's errors (`SIWE_*`, exposed).
   */
  verifySignIn(input: { message: string; signature: string }): Promise<{ accountId: string; address: string; chainId: number }>;
}
