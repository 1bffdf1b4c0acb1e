import { isKitError, type AccountSummary, type Kit } from '@w3kit/core';
import type { Context } from 'koa';

/**
 * A request to a host route carried an `Authorization` header that names no account: not a
 * bearer JWT, a bad signature, expired, a revoked session, or the account is gone. A plain error with Koa's
 * `status`/`expose` convention, so the host's own error handler renders it in the host's
 * format; it never carries the kit's wire format.
 */
export class InvalidAccessTokenError extends Error {
  override readonly name = 'InvalidAccessTokenError';
  readonly code = 'INVALID_TOKEN';
  readonly status = 401;
  readonly expose = true;
  constructor(options?: { cause?: unknown }) {
    super('The access token is invalid or expired.', options);
  }
}

/**
 * The account a host route's request is signed in as, from the kit's access token
 * (`Authorization: Bearer <JWT>`), for host code beside the kit:
 *
 * - no `Authorization` header → `null` (an anonymous request; the host decides what that means);
 * - a valid token → the account, as other plugins see it (`AccountSummary`);
 * - a header that is not a valid, unexpired token of an existing account → throws
 *   `InvalidAccessTokenError` (401), so a client with an expired token learns it must
 *   sign in again instead of silently becoming anonymous.
 *
 * Anything else (the database cannot be reached) is thrown as it is. Uses only the
 * `authenticator` and `accountDirectory` contracts of the container; sets nothing on
 * `ctx.state`.
 */
export async function authenticatedAccount(kit: Pick<Kit, 'services'>, ctx: Context): Promise<AccountSummary | null> {
  const { authenticator, accountDirectory } = kit.services;
  let principal;
  try {
    principal = await authenticator.authenticate(ctx);
  } catch (error) {
    if (isKitError(error) && error.status === 401) throw new InvalidAccessTokenError({ cause: error });
    throw error;
  }
  if (!principal) return null;
  const account = await accountDirectory.get(principal.accountId);
  if (!account) throw new InvalidAccessTokenError();
  return account;
}
