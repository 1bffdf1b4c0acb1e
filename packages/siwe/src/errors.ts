import { defineErrors } from '@w3kit/core';

/**
 * The siwe plugin's error codes. 400 for a message that is not EIP-4361; 401 for one that does
 * not sign anyone in (the Finenex login endpoints answer bad credentials with 401).
 */
export const siweErrors = defineErrors({
  SIWE_MESSAGE_MALFORMED: { status: 400, message: 'The message is not an EIP-4361 Sign-In with Ethereum message.' },
  SIWE_DOMAIN_NOT_ALLOWED: { status: 401, message: 'The message’s domain, scheme or URI is not an origin this server accepts sign-ins for.' },
  SIWE_CHAIN_NOT_ALLOWED: { status: 401, message: 'The message’s chain is not one this server accepts sign-ins on.' },
  SIWE_STATEMENT_MISMATCH: { status: 401, message: 'The message’s statement is not the one this server asks to sign.' },
  SIWE_MESSAGE_EXPIRED: { status: 401, message: 'The message has expired; sign a new one.' },
  SIWE_MESSAGE_NOT_YET_VALID: { status: 401, message: 'The message is not valid yet (issuedAt or notBefore lies in the future).' },
  SIWE_NONCE_INVALID: { status: 401, message: 'The nonce is unknown, expired or already used; get a new one.' },
  SIWE_SIGNATURE_INVALID: { status: 401, message: 'The signature is not the address’s signature of this message.' },
  SIWE_ACCOUNT_NOT_FOUND: { status: 404, message: 'No account holds this address; sign in another way and link it first.' },
  SIWE_ADDRESS_TAKEN: { status: 409, message: 'Another account holds this address on this chain.' },
  SIWE_CHAIN_UNAVAILABLE: { status: 503, message: 'The chain could not be asked about the smart-contract wallet now; try again.', expose: true },
});

export type SiweErrorCode = Parameters<typeof siweErrors.create>[0];
