import type { RequestLike } from '@openid4vc/oauth2';
import type { Context } from 'koa';

/** The request as the OpenWallet libraries read it (headers, method, the URL the wallet called). */
export function requestLike(ctx: Context, url: string): RequestLike {
  const headers = new Headers();
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return { headers, method: ctx.method as RequestLike['method'], url };
}
