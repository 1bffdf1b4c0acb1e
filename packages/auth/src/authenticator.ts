import { getRequestState, type Authenticator, type Principal } from '@w3kit/core';
import type { Context } from 'koa';
import { authErrors } from './errors.js';
import type { TokenService } from './token-service.js';

declare module '@w3kit/core' {
  interface W3kitRequestState {
    /** Set by @w3kit/auth once the bearer token was verified. */
    principal?: Principal | null;
  }
}

// The scheme name is case-insensitive (RFC 9110 §11.1): `bearer <JWT>` is the same credential.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/** Reads `Authorization: Bearer <JWT>` once per request and keeps the principal in `ctx.state.w3kit`. */
export function createAuthenticator({ tokenService }: { tokenService: TokenService }): Authenticator {
  async function authenticate(ctx: Context): Promise<Principal | null> {
    const state = getRequestState(ctx);
    if (state?.principal !== undefined) return state.principal;
    const header = ctx.get('authorization');
    let principal: Principal | null = null;
    if (header) {
      const match = BEARER.exec(header.trim());
      if (!match) throw authErrors.create('INVALID_TOKEN');
      const claims = await tokenService.verifyAccessToken(match[1]!);
      principal = { accountId: claims.accountId, accountType: claims.accountType, sessionId: claims.sessionId };
    }
    if (state) state.principal = principal;
    return principal;
  }
  return {
    authenticate,
    async require(ctx) {
      const principal = await authenticate(ctx);
      if (!principal) throw authErrors.create('UNAUTHENTICATED');
      return principal;
    },
  };
}
