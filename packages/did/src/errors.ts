import { defineErrors } from '@w3kit/core';

/** The did plugin's error codes, each mapped to one HTTP status. */
export const didErrors = defineErrors({
  INVALID_SECRET_KEY: { status: 401, message: 'The address and secretKey do not match.' },
  NOT_YOUR_ADDRESS: { status: 403, message: 'The address is neither your ID wallet nor a custodial key of your account.' },
  ADDRESS_AUTHORIZATION_REQUIRED: { status: 401, message: 'Send the secretKey of the address, or the owning account’s Authorization: Bearer token.' },
  INVALID_DID: { status: 400, message: 'Not a DID this server can resolve (did:ethr or did:key).' },
  UNKNOWN_ISSUER: { status: 400, message: 'The issuer is not one of this server’s issuers (GET /v2/did/issuers).' },
  FORMAT_NOT_SUPPORTED_BY_ISSUER: { status: 400, message: 'The issuer’s key cannot sign in the requested format.' },
  INVALID_USER_INFO: { status: 400, message: 'userInfo must not set id or sub: the server sets them.' },
  HOLDER_KEY_NOT_HELD: { status: 409, message: 'This server does not hold the holder’s key; the holder’s wallet signs its own presentations.' },
  HOLDER_NOT_AUTHORIZED: { status: 401, message: 'Send the tempKey (secretKey) of the holder’s address, or the owning account’s Authorization: Bearer token.' },
  INVALID_CREDENTIAL: { status: 422, message: 'The credential cannot be processed.' },
  CREDENTIAL_NOT_VERIFIED: { status: 422, message: 'The credential does not verify.' },
  PRESENTATION_NOT_VERIFIED: { status: 422, message: 'The presentation does not verify.' },
  CREDENTIAL_NOT_FOUND: { status: 404, message: 'This server issued no such credential.' },
  NOT_CREDENTIAL_ISSUER: { status: 403, message: 'Only the account the credential was issued for can revoke it.' },
  ORGANIZATION_ONLY: { status: 403, message: 'Only an organization account can issue credentials through the VC-API.' },
  STATUS_LIST_NOT_FOUND: { status: 404, message: 'No such status list.' },
  UNREVOKE_NOT_ALLOWED: { status: 400, message: 'A revocation is final: status can only be set to true.' },
  PRESENTATION_REJECTED: { status: 401, message: 'The presentation does not log anyone in.' },
  LOGIN_REQUEST_NOT_FOUND: { status: 400, message: 'No such login request.' },
  LOGIN_REQUEST_EXPIRED: { status: 400, message: 'The login request has expired.' },
  LOGIN_REQUEST_CANCELLED: { status: 400, message: 'The login request was cancelled.' },
  LOGIN_REQUEST_COMPLETED: { status: 400, message: 'The login request was already completed.' },
  LOGIN_RESULT_COLLECTED: { status: 400, message: 'The login result was already collected.' },
  LOGIN_PENDING: { status: 401, message: 'Still waiting for the app to log in.' },
  INVALID_RESULT_TOKEN: { status: 401, message: 'The resultToken does not match this login request.' },
  ISSUER_NOT_OWNED: { status: 403, message: 'The issuer is not one of your organization’s issuer DIDs (GET /v2/did/my-issuers).' },
  BACKDATED_CREDENTIAL: { status: 400, message: 'A credential cannot be dated in the past: leave issuanceDate or validFrom out, or give the current time.' },
  TOO_COMPLEX_TO_VERIFY: { status: 400, message: 'The credential or presentation is too complex to verify here.' },
});

export type DidErrorCode = keyof typeof didErrors.catalog;
