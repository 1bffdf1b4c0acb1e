import type { AwilixContainer } from 'awilix';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { KitServices } from '../container.js';

/** The key under `ctx.state` where the kit keeps its per-request state; a host's own state is never touched. */
export const STATE_KEY = 'w3kit';

/**
 * The kit's per-request state at `ctx.state.w3kit`. Plugins add fields by declaration merging
 * (auth adds the authenticated principal).
 */
export interface W3kitRequestState {
  requestId: string;
  /** The request's awilix scope. */
  scope: AwilixContainer<KitServices>;
  log: Logger;
  /** The client's address by the kit's `trustedProxies` (see `clientIpOf`); computed on first read. */
  readonly clientIp: string;
  /** The name of the kit route serving the request (`nft.mint`), for a host's logs and metrics; unset on a path no route serves. */
  routeName?: string;
}

export function getRequestState(ctx: Context): W3kitRequestState | undefined {
  return (ctx.state as Record<string, unknown>)[STATE_KEY] as W3kitRequestState | undefined;
}
