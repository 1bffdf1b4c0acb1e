import { defineErrors } from '@w3kit/core';

/** The auth plugin's error codes, each mapped to one HTTP status. */
export const authErrors = defineErrors({
  UNAUTHENTICATED: { status: 401, message: 'Authorization: Bearer <ACCESS_TOKEN> is required.' },
  INVALID_TOKEN: { status: 401, message: 'The access token is invalid or expired.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The id or password is wrong.' },
  INVALID_API_KEY_SECRET: { status: 401, message: 'The API key secret is invalid or revoked.' },
  ORGANIZATION_ONLY: { status: 403, message: 'Only an organization account can do this.' },
  END_USER_ONLY: { status: 403, message: 'Only an end-user account can do this.' },
  ACCOUNT_NOT_FOUND: { status: 404, message: 'No such account.' },
  WALLET_NOT_FOUND: { status: 404, message: 'No account has this ID wallet address.' },
  ACCOUNT_EXISTS: { status: 409, message: 'An account with this login already exists.' },
  INVALID_PHONE_NUMBER: { status: 400, message: 'phone_number must be a valid mobile number in E.164 format (e.g. +14155550100).' },
  INVALID_CODE: { status: 422, message: 'The code is wrong.' },
  CODE_EXPIRED: { status: 422, message: 'The code has expired or was already used; request a new one.' },
  UNKNOWN_TMP_TOKEN: {
    status: 422,
    message: 'No code of this account has this tmp_token: it was never issued to this account, a newer code replaced it, or it expired and was cleared; request a new code with step 1.',
  },
  TOO_MANY_ATTEMPTS: { status: 422, message: 'Too many wrong codes; request a new one.' },
  DOMAIN_NOT_VERIFIED: { status: 422, message: 'The TXT record was not found on the domain.' },
  DOMAIN_TXT_NOT_ISSUED: { status: 409, message: 'Call GET /verify/domain/step1 first to get the TXT record to publish.' },
  DOMAIN_NOT_SET: { status: 409, message: 'The organization has no domain to verify.' },
  EMAIL_NOT_SET: { status: 409, message: 'The account has no email address to verify.' },
  EMAIL_ALREADY_VERIFIED: { status: 409, message: 'The account’s email address is already verified.' },
  DNS_UNAVAILABLE: { status: 503, message: 'The domain could not be checked now; try again.', expose: true },
  REDIRECT_NOT_ALLOWED: { status: 400, message: 'redirect_url must be an https URL on the organization’s verified domain.' },
  ORGANIZATION_DOMAIN_NOT_VERIFIED: { status: 403, message: 'The organization’s domain is not verified yet; verify it before generating the Web3Connect button.' },
  ASSOCIATION_TICKET_GONE: { status: 410, message: 'This association link has expired or was already used.' },
  ASSOCIATION_SIGN_IN_REQUIRED: { status: 401, message: 'Sign in or create an account first.' },
  CSRF_TOKEN_INVALID: { status: 403, message: 'This form is no longer valid; reload the page and try again.' },
});
