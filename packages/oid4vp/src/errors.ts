import { defineErrors } from '@w3kit/core';

/**
 * The oid4vp plugin's error codes (written in the Finenex error body, see routes.ts). 400 for a request that is unknown, used up or over; 401 for a
 * presentation that logs no one in, and for "still waiting" (as the app-login result does).
 */
export const oid4vpErrors = defineErrors({
  OID4VP_UNAVAILABLE: {
    status: 503,
    message: 'Login with an SD-JWT VC is off on this server: no SD-JWT VC issuer (oid4vci) is composed, so no credential can be checked.',
    expose: true,
  },
  REQUEST_NOT_FOUND: { status: 400, message: 'The request is unknown.' },
  REQUEST_EXPIRED: { status: 400, message: 'The request has expired; start a new one.' },
  REQUEST_URI_USED: { status: 400, message: 'This request_uri was fetched already; a request object is handed out once. Start a new request.' },
  REQUEST_NOT_FETCHED: { status: 400, message: 'The request object was never fetched, so no answer to it is expected.' },
  REQUEST_ANSWERED: { status: 400, message: 'The request was answered already; a request takes one answer.' },
  RESPONSE_MALFORMED: { status: 400, message: 'The response is not an OpenID4VP response to this request.' },
  REDIRECT_NOT_ALLOWED: { status: 400, message: 'redirect_uri is not on an origin this server sends wallets back to.' },
  PRESENTATION_REJECTED: { status: 401, message: 'The presentation logs no one in.' },
  LOGIN_PENDING: { status: 401, message: 'The wallet has not answered yet.' },
  INVALID_RESULT_TOKEN: { status: 401, message: 'The result token (or response code) is not the one of this request.' },
  LOGIN_FAILED: { status: 400, message: 'The wallet’s answer was refused; start a new request.' },
  LOGIN_RESULT_COLLECTED: { status: 400, message: 'The login result was collected already.' },
});

export type Oid4vpErrorCode = Parameters<typeof oid4vpErrors.create>[0];
