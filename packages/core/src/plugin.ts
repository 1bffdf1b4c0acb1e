import type { Static, TSchema } from '@sinclair/typebox';
import type { AwilixContainer } from 'awilix';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { KitServices } from './container.js';
import type { Principal } from './contracts/accounts.js';
import type { MigrationSet } from './database/migrations.js';
import type { ErrorCatalog } from './errors.js';
import type { WireFormatName } from './http/wire-formats.js';
import type { RateLimitRule } from './rate-limit/rate-limiter.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. Core authenticates through the `authenticator` port (registered by
 * @w3kit/auth) before the handler runs: `required` answers 401 without a valid bearer token,
 * `optional` lets an anonymous request through (a bad token is still a 401), `none` never looks.
 */
export type RouteAuth = 'required' | 'optional' | 'none';

/** The principal a handler receives, typed by its route's `auth`. */
export type PrincipalFor<A extends RouteAuth> = A extends 'required' ? Principal : A extends 'optional' ? Principal | null : undefined;

/**
 * What one rate-limit rule of a route counts on: the authenticated account (`principal`, needs
 * `auth: 'required'`), the client IP by the kit's trusted proxies (`ip`), the account when
 * there is one and else the IP (`principal-or-ip`), or a field of the validated body.
 */
export type RateLimitKey = 'principal' | 'ip' | 'principal-or-ip' | { body: string };

/** One named rule (declared in a plugin's `rateLimits`) and its key; core counts a hit before the handler runs. */
export interface RouteRateLimit {
  rule: string;
  key: RateLimitKey;
}

/** What a route handler receives: the validated parts of the request and its request scope. */
export interface RouteRequest<B, Q, P, A extends RouteAuth = RouteAuth> {
  /** The caller, authenticated by core as the route's `auth` says. */
  principal: PrincipalFor<A>;
  body: B;
  query: Q;
  params: P;
  /** The request's awilix scope: every service of the kit, resolved for this request. */
  services: KitServices;
  requestId: string;
  log: Logger;
  /** The Koa context, for headers, the client IP, or writing a raw (HTML) body. */
  ctx: Context;
}

type Parsed<S> = S extends TSchema ? Static<S> : undefined;

export interface RouteSpec<
  B extends TSchema | undefined = TSchema | undefined,
  Q extends TSchema | undefined = TSchema | undefined,
  P extends TSchema | undefined = TSchema | undefined,
  A extends RouteAuth = RouteAuth,
> {
  /**
   * Unique name of the route, `plugin.operation` (`nft.mint`): its OpenAPI operationId, the
   * key of `urls.to(name)`, `ctx.state.w3kit.routeName` for a host's logs and metrics.
   */
  name: string;
  method: HttpMethod;
  /** Path below the group's base path, Koa-router syntax (`/nft/:token_id`). */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  description?: string;
  body?: B;
  query?: Q;
  params?: P;
  /** Schema of the success result (inside the envelope for Web3Connect routes). */
  response?: TSchema;
  /** Status of a success. Default 200. */
  successStatus?: number;
  /**
   * The handler writes `ctx.body` itself (HTML pages, images); its return value is ignored
   * and no wire-format envelope is added. Errors are still rendered in the group's format.
   */
  raw?: boolean;
  /**
   * The handler reads the request body itself (a form post, `readFormBody`); without it, a body
   * sent to a route with no `body` schema is read and dropped before the handler runs.
   */
  readsBody?: boolean;
  /**
   * What a raw route writes, for the OpenAPI document: a media type (`text/html`), or
   * `redirect` for a route answering 302/303 with a Location. A raw route with a `response`
   * schema writes JSON of that schema. Default `text/html`.
   */
  produces?: string;
  /** Who may call it (see `RouteAuth`); default `none`. A kit without an authenticator refuses to start with a route that is not `none`. */
  auth?: A;
  /** Rules counted, in order, after authentication and before the handler; over the limit is a 429 with `retry-after`. */
  rateLimit?: readonly RouteRateLimit[];
  /**
   * The error codes the route answers besides the ones core adds by its declaration
   * (validation, authentication, rate limits, 5xx). Each must be in a composed plugin's
   * catalog, which gives its status; the OpenAPI document lists them by status.
   */
  errors?: readonly string[];
  handler(request: RouteRequest<Parsed<B>, Parsed<Q>, Parsed<P>, A>): unknown;
}

/**
 * Routes that share a base path and a wire format: e.g. the Web3Connect routes under
 * `/rest/v1` with the `{status,result,error}` envelope. `api` names the group so a host can
 * move its base path (`basePaths: { web3connect: '/identity/rest/v1' }`).
 */
export interface RouteGroup {
  api: string;
  basePath: string;
  format: WireFormatName;
  routes: readonly AnyRouteSpec[];
  /**
   * Request examples for the API reference (`/docs`, OpenAPI `example`), by `"METHOD /path"`
   * of a route of this group. Each is a valid request: a test checks it against the route's schemas.
   */
  examples?: Readonly<Record<string, RouteExample>>;
}

/** One route's request example: its body, and values for its path and query parameters. */
export interface RouteExample {
  body?: unknown;
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, string | number>>;
}

// A route of any schema types, as stored in a group.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRouteSpec = RouteSpec<any, any, any, any>;

/** Declares one route with its handler typed from its schemas and its `auth`. */
export function defineRoute<B extends TSchema | undefined = undefined, Q extends TSchema | undefined = undefined, P extends TSchema | undefined = undefined, A extends RouteAuth = 'none'>(
  spec: RouteSpec<B, Q, P, A>,
): RouteSpec<NoInfer<B>, NoInfer<Q>, NoInfer<P>, NoInfer<A>> {
  return spec;
}

/** URLs of the kit's routes by name, from the same table that mounts them. */
export interface KitUrls {
  /** `/identity/rest/v1/nft/42` for `to('nft.fetch', { token_id: '42' })`: mount path + base path + route path, params %-encoded. */
  path(name: string, params?: Readonly<Record<string, string>>): string;
  /** The same, absolute with the kit's public URL. */
  to(name: string, params?: Readonly<Record<string, string>>): string;
}

export interface PluginContext {
  /** Resolved kit configuration. */
  config: import('./config/kit-config.js').KitConfig;
  logger: Logger;
  /** URLs of routes by name; usable once the kit is built (at request time, in onReady), not inside `register`. */
  urls: KitUrls;
}

/**
 * The contract of a plugin: a factory (`auth(options)`) returns this plain object.
 * Plugins talk to each other only through services in the container.
 */
export interface KitPlugin {
  /** Unique name, lower case (`auth`, `nft`). Also names its migration table. */
  name: string;
  /** Names of plugins that must be composed too (their services are used). */
  requires?: readonly string[];
  /** Adds the plugin's services to the container. */
  register?(container: AwilixContainer<KitServices>, context: PluginContext): void;
  /** The plugin's own migrations, tracked in its own table. */
  migrations?: MigrationSet;
  routes?: readonly RouteGroup[];
  /** The plugin's error codes, for the OpenAPI document and duplicate detection. */
  errors?: ErrorCatalog;
  /** Rate-limit rules by name (`attestations.send.target`); the kit config may override them. */
  rateLimits?: Readonly<Record<string, RateLimitRule>>;
  /**
   * Outbound senders the plugin sends through. In production mode the kit refuses to start
   * when one of them is still the development (log-only) sender.
   */
  uses?: readonly ('smsSender' | 'emailSender')[];
  /** Runs on the kit's housekeeping interval: delete the plugin's expired rows. */
  housekeeping?(services: KitServices): Promise<unknown>;
  /** Runs once after migrations, before the kit serves (create keys, check config). */
  onReady?(services: KitServices): Promise<void> | void;
}
