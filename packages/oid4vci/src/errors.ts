import { defineErrors } from '@w3kit/core';

/**
 * The oid4vci plugin's error codes. The protocol endpoints answer in OAuth's wire format
 * (`{error, error_description}`, the code in lower case), so the codes of RFC 6749 §5.2 and
 * OID4VCI 1.0 §8.3.1.2 are the codes here.
 */
export const oid4vciErrors = defineErrors({
  INVALID_REQUEST: { status: 400, message: 'The request is not a valid OID4VCI request.' },
  INVALID_GRANT: { status: 400, message: 'The pre-authorized code is unknown, expired or already used.' },
  UNSUPPORTED_GRANT_TYPE: { status: 400, message: 'This token endpoint takes the pre-authorized code grant only.' },
  INVALID_TOKEN: { status: 401, message: 'The access token is missing, invalid or expired.' },
  INVALID_NONCE: { status: 400, message: 'The proof’s nonce is unknown, expired or already used; get a new c_nonce.' },
  INVALID_PROOF: { status: 400, message: 'The proof JWT does not bind a key to this request.' },
  UNKNOWN_CREDENTIAL_CONFIGURATION: { status: 400, message: 'The credential configuration is not one this issuer offers.' },
  CREDENTIAL_REQUEST_DENIED: { status: 400, message: 'The credential of this offer was issued already.' },
  OFFER_NOT_FOUND: { status: 404, message: 'The credential offer is unknown, expired or already fetched.' },
  NO_CONTACT_FOR_TX_CODE: { status: 422, message: 'The account has no phone number or email to send the transaction code to.' },
  OFFER_FORBIDDEN: { status: 403, message: 'You may not create an offer for this account, or revoke this credential.' },
  GRANT_UNAVAILABLE: { status: 400, message: 'The authorization code grant needs the OpenID Connect provider (@w3kit/oidc), which this kit does not compose.' },
  CREDENTIAL_NOT_FOUND: { status: 404, message: 'No SD-JWT VC with this status entry was issued by this kit.' },
});

export type Oid4vciErrorCode = Parameters<typeof oid4vciErrors.create>[0];
