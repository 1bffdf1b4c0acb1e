import { defineErrors } from '@w3kit/core';

/** The oidc plugin's own codes (its pages); the protocol endpoints answer OAuth errors (`{error, error_description}`). */
export const oidcErrors = defineErrors({
  INTERACTION_GONE: { status: 400, message: 'This sign-in page has expired or was already used; go back to the application and sign in again.' },
  CSRF_TOKEN_INVALID: { status: 403, message: 'This form is no longer valid; reload the page and try again.' },
  END_USER_ONLY: { status: 401, message: 'The id or password is wrong.' },
  LOGIN_METHOD_UNAVAILABLE: { status: 404, message: 'This sign-in method is not available on this server.' },
});
