import { defineErrors } from '@w3kit/core';

/**
 * The attestation plugin's error codes. In the Origin wire format a code is rendered as
 * `{"errors":["<message>"]}`: 400 for a request that is malformed, 422 for one that could not
 * be processed (wrong, expired or dead code, provider refused), as the Origin attestations document documents.
 */
export const attestationErrors = defineErrors({
  INVALID_PHONE_NUMBER: { status: 400, message: 'Invalid phone number.' },
  INVALID_EMAIL: { status: 400, message: 'Invalid email address.' },
  CALL_NOT_SUPPORTED: { status: 422, message: 'Verification by phone call is not available on this server; use sms.' },
  CODE_NOT_FOUND: { status: 422, message: 'No verification code is pending for this address; request a new code.' },
  CODE_EXPIRED: { status: 422, message: 'The verification code has expired; request a new code.' },
  CODE_INCORRECT: { status: 422, message: 'The verification code is incorrect.' },
  CODE_ATTEMPTS_EXHAUSTED: { status: 422, message: 'Too many wrong attempts; request a new code.' },
  CODE_ALREADY_USED: { status: 422, message: 'The verification code was already used; request a new code.' },
  FACEBOOK_NOT_CONFIGURED: { status: 422, message: 'Facebook is not configured on this server.' },
  TWITTER_NOT_CONFIGURED: { status: 422, message: 'Twitter is not configured on this server.' },
  FACEBOOK_FLOW_NOT_FOUND: { status: 422, message: 'No Facebook sign-in is pending for this code; start again.' },
  TWITTER_FLOW_NOT_FOUND: { status: 422, message: 'No Twitter sign-in is pending for this verifier; start again.' },
  FACEBOOK_REFUSED: { status: 422, message: 'Facebook did not accept the code.' },
  TWITTER_REFUSED: { status: 422, message: 'Twitter did not accept the request.' },
});

export type AttestationErrorCode = keyof typeof attestationErrors.catalog;
