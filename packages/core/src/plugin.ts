import type { Static, TSchema } from '@sinclair/typebox';
import type { AwilixContainer } from 'awilix';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { KitCradle } from './container.js';
import type { MigrationSet } from './database/migrations.js';
import type { ErrorCatalog } from './errors.js';
import type { WireFormatName } from './http/wire-formats.js';
import type { RateLimitRule } from './rate-limit/rate-limiter.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler receives: the validated parts of the request and its request scope. */
export interface RouteRequest<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** The request's awilix scope: every service of the kit, resolved for this request. */
  services: KitCradle;
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
> {
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
  /** Whether the route needs `Authorization: Bearer …` (documented in OpenAPI). */
  bearerAuth?: boolean;
  handler(request: RouteRequest<Parsed<B>, Parsed<Q>, Parsed<P>>): unknown;
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
export type AnyRouteSpec = RouteSpec<any, any, any>;

/** Declares one route with its handler typed from its schemas. */
export function defineRoute<B extends TSchema | undefined = undefined, Q extends TSchema | undefined = undefined, P extends TSchema | undefined = undefined>(
  spec: RouteSpec<B, Q, P>,
): RouteSpec<B, Q, P> {
  return spec;
}

export interface PluginContext {
  /** Resolved kit configuration. */
  config: import('./config/kit-config.js').KitConfig;
  logger: Logger;
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
  register?(container: AwilixContainer<KitCradle>, context: PluginContext): void;
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
  housekeeping?(services: KitCradle): Promise<unknown>;
  /** Runs once after migrations, before the kit serves (create keys, check config). */
  onReady?(services: KitCradle): Promise<void> | void;
}
