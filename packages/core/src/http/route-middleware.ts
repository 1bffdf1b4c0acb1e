import { performance } from 'node:perf_hooks';
import { asValue, Lifetime, type AwilixContainer } from 'awilix';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { KitServices } from '../container.js';
import { isDatabaseUnavailable, isTransientDbError } from '../database/retry.js';
import { coreErrors, isKitError, KitError, type FieldIssue } from '../errors.js';
import { accessLog, redactUrl } from '../logging/logger.js';
import type { Principal } from '../contracts/accounts.js';
import type { AnyRouteSpec, RateLimitKey, RouteAuth } from '../plugin.js';
import { clientIpOf, resolveClientIp, type ProxyMatcher } from './client-ip.js';
import { discardBody, hasBody } from './body-text.js';
import { readJsonBody } from './json-body.js';
import { rawHeaderValues } from './raw-headers.js';
import { STATE_KEY, getRequestState, type W3kitRequestState } from './request-state.js';
import { compileValidator, parseParts, type PartValidator } from './validation.js';
import { wireFormats, type WireFormat } from './wire-formats.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the kit decides at its edge, for every request of every route: who the client is, which headers go out. */
export interface EdgeOptions {
  /** The kit's `trustedProxies`, compiled. */
  proxies: ProxyMatcher;
  /** The `strict-transport-security` value (production with an https public URL), or none. */
  hsts: string | undefined;
}

/**
 * Headers on every kit response, set before the route runs so its errors carry them too. A
 * route may replace them: `cache-control: no-store` is the default because tokens, API key
 * secrets, codes, tmp_tokens and custodial keys come back from many routes and more with each
 * feature — a route that forgot to say no-store would leak through a shared cache, while a
 * public document that forgot to say `public, max-age=…` (JWKS, token metadata, status lists
 * do say it) only costs a refetch.
 */
function setEdgeHeaders(ctx: Context, requestId: string, edge: EdgeOptions): void {
  // on Node's response, not through ctx.set: Koa's set allocates four arrays per call for a name and a string
  const res = ctx.res;
  res.setHeader('x-request-id', requestId);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cache-control', 'no-store');
  if (edge.hsts) res.setHeader('strict-transport-security', edge.hsts);
}

/** An HTML page may not be framed (clickjacking); one that named no policy of its own gets the strictest. */
function guardHtml(ctx: Context): void {
  const type = ctx.res.getHeader('content-type');
  if (type === undefined || !/^text\/html/i.test(String(type))) return;
  if (!ctx.response.get('x-frame-options')) ctx.set('x-frame-options', 'DENY');
  if (!ctx.response.get('content-security-policy')) ctx.set('content-security-policy', "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
}

/** What a kit endpoint does once the request is open: a route's validation and handler, or the 404/405 answer. */
export type Endpoint = (ctx: Context) => unknown;

/**
 * A kit endpoint's whole per-request path, as one function made at mount time: opens the
 * request — a request id (the caller's `x-request-id` when well-formed, else a new one, echoed
 * back) and, under `ctx.state.w3kit`, an awilix scope, a child logger and the client IP, each
 * computed on first use (a route that never touches them, like /healthz, pays for none) — sets
 * the kit's response headers, runs the endpoint inside the error boundary of `format`, and
 * writes one access line when it is done. One function rather than a composed chain of three:
 * no dispatch closures or promises per request for steps every endpoint has.
 */
export function serveEndpoint(container: AwilixContainer<KitServices>, logger: Logger, edge: EdgeOptions, format: WireFormat, endpoint: Endpoint): Middleware {
  const random = container.cradle.random;
  const writeAccessLine = accessLog(logger);
  const close = (ctx: Context, requestId: string, started: number): void => {
    guardHtml(ctx);
    writeAccessLine(requestId, ctx.req.method ?? '', redactUrl(ctx.originalUrl), ctx.res.statusCode, performance.now() - started);
  };
  const nested = async (ctx: Context): Promise<void> => {
    try {
      await endpoint(ctx);
    } catch (error) {
      renderError(ctx, format, error, logger);
    }
  };
  return (ctx: Context) => {
    // a host router that runs two kit layers for one request (a nested mount): the first opened it
    if (getRequestState(ctx)) return nested(ctx);
    // one well-formed id, kept; none, two, or a malformed one: a new one
    const given = rawHeaderValues(ctx.req, 'x-request-id');
    const requestId = given?.length === 1 && REQUEST_ID.test(given[0]!) ? given[0]! : random.uuid();
    (ctx.state as Record<string, unknown>)[STATE_KEY] = new RequestState(requestId, ctx, container, logger, edge.proxies);
    setEdgeHeaders(ctx, requestId, edge);
    const started = performance.now();
    let outcome: unknown;
    try {
      outcome = endpoint(ctx);
    } catch (error) {
      renderError(ctx, format, error, logger);
      return close(ctx, requestId, started);
    }
    // an endpoint that did not wait (/healthz) is done now: no promise, no microtask for it
    if (!(outcome instanceof Promise)) return close(ctx, requestId, started);
    return outcome.then(
      () => close(ctx, requestId, started),
      (error: unknown) => {
        renderError(ctx, format, error, logger);
        close(ctx, requestId, started);
      },
    );
  };
}

/**
 * The request's state, its lazy parts behind prototype getters. A class, not an object
 * literal with getters: a literal's accessors are new closures per request, and V8 gave each
 * such object a hidden class of its own, kept in old space, which kept every request's objects
 * alive past the young-generation collections (GC took a quarter of `/healthz`'s CPU).
 */
class RequestState implements W3kitRequestState {
  routeName?: string = undefined;
  #log: Logger | undefined = undefined;
  #scope: AwilixContainer<KitServices> | undefined = undefined;
  #clientIp: string | undefined = undefined;

  constructor(
    readonly requestId: string,
    private readonly ctx: Context,
    private readonly container: AwilixContainer<KitServices>,
    private readonly logger: Logger,
    private readonly proxies: ProxyMatcher,
  ) {}

  get log(): Logger {
    return (this.#log ??= this.logger.child({ reqId: this.requestId }));
  }

  get clientIp(): string {
    return (this.#clientIp ??= resolveClientIp(this.ctx.req.socket.remoteAddress, this.ctx.get('x-forwarded-for'), this.proxies));
  }

  get scope(): AwilixContainer<KitServices> {
    if (!this.#scope) {
      this.#scope = this.container.createScope();
      this.#scope.register({ requestId: asValue(this.requestId), logger: asValue(this.log) });
    }
    return this.#scope;
  }
}

/** Turns an unknown thrown value into a KitError; returns null for a real bug. */
function classify(error: unknown): KitError | null {
  if (isKitError(error)) return error;
  // A deadlock or lock wait a store did not retry away is contention, not a bug: the client may retry.
  if (isDatabaseUnavailable(error) || isTransientDbError(error)) return coreErrors.create('SERVICE_UNAVAILABLE', { cause: error, headers: { 'retry-after': '1' } });
  const e = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown } | null;
  const status = Number(e?.status ?? e?.statusCode);
  // errors from Koa's ctx.throw / http-errors that are meant for the client
  if (status >= 400 && status < 500 && e?.expose === true) {
    return new KitError(`HTTP_${status}`, status, { message: String(e.message) });
  }
  return null;
}

/** The one place errors become responses, in the wire format of the endpoint's group. */
function renderError(ctx: Context, format: WireFormat, error: unknown, logger: Logger): void {
  const state = getRequestState(ctx);
  let kitError = classify(error);
  if (kitError?.status === 503) state?.log.warn({ err: error }, 'database unavailable');
  // a client error's cause (what a library threw or said) is for the log, at debug, never for the
  // body; asked of the root logger first, so a 4xx makes no request logger when debug is off
  else if (kitError && kitError.status < 500 && kitError.cause !== undefined && logger.isLevelEnabled('debug'))
    state?.log.debug({ err: kitError.cause, code: kitError.code }, 'client error: its cause');
  if (!kitError) {
    state?.log.error({ err: error }, 'unexpected error');
    ctx.app.emit('error', error, ctx);
    kitError = coreErrors.create('INTERNAL_ERROR');
  }
  ctx.status = kitError.status;
  for (const [name, value] of Object.entries(kitError.headers)) ctx.set(name, value);
  ctx.body = format.error(kitError, ctx.path);
}

/**
 * The services a handler sees: the request's own `requestId` and `logger`, singletons straight
 * and values from the root container, anything scoped or transient from the request's awilix scope (created
 * only then). Most requests touch only singletons, so most never pay for a scope.
 */
function requestServices(container: AwilixContainer<KitServices>, state: W3kitRequestState): KitServices {
  const shared = sharedNames(container);
  return new Proxy({} as KitServices, {
    get(_, name) {
      if (name === 'requestId') return state.requestId;
      if (name === 'logger') return state.log;
      const key = name as keyof KitServices;
      return shared.has(key) ? container.cradle[key] : state.scope.cradle[key];
    },
  });
}

const sharedNamesOf = new WeakMap<AwilixContainer<KitServices>, Set<string | symbol>>();

/**
 * Names of singletons and plain values (asValue has no lifetime): the same in every scope.
 * Computed on first use, when every registration is in (awilix's `registrations` getter merges
 * them anew on each read, too slow for every request).
 */
function sharedNames(container: AwilixContainer<KitServices>): Set<string | symbol> {
  let names = sharedNamesOf.get(container);
  if (!names) {
    const registrations = container.registrations;
    names = new Set(
      Object.keys(registrations).filter((n) => {
        const lifetime = registrations[n as keyof KitServices]?.lifetime;
        return lifetime === Lifetime.SINGLETON || lifetime === undefined;
      }),
    );
    sharedNamesOf.set(container, names);
  }
  return names;
}

/** The names of a route path's `:params`, in order. */
export const paramNamesOf = (path: string): string[] => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

/**
 * The path params the router matched, %-decoded once here; a malformed escape is a 400 naming
 * the param. Read from the raw captures: the router's own `ctx.params` are decoded already,
 * and leniently (a bad escape stays as it is).
 */
function decodedParams(ctx: Context, names: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  const issues: FieldIssue[] = [];
  const captures = (ctx as Context & { captures?: string[] }).captures ?? [];
  for (const [i, name] of names.entries()) {
    const value = captures[i] ?? '';
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      issues.push({ field: `params.${name}`, message: 'is not valid percent-encoding.' });
    }
  }
  if (issues.length > 0) throw coreErrors.create('VALIDATION_FAILED', { issues });
  return params;
}

const NOTHING_PARSED: { params?: unknown; query?: unknown; body?: unknown } = Object.freeze({});

interface CompiledRoute {
  body?: PartValidator<unknown>;
  query?: PartValidator<unknown>;
  params?: PartValidator<unknown>;
}

/** The value a rate-limit rule counts on for this request; null when a body field is absent (nothing to count). */
function limitKey(key: RateLimitKey, principal: Principal | null | undefined, ctx: Context, body: unknown): string | null {
  if (key === 'ip') return clientIpOf(ctx);
  if (key === 'principal') return principal!.accountId;
  if (key === 'principal-or-ip') return principal ? principal.accountId : clientIpOf(ctx);
  const value = (body as Record<string, unknown> | undefined)?.[key.body];
  return typeof value === 'string' || typeof value === 'number' ? `${key.body}:${value}` : null;
}

/** A handler's argument, a class for the reason `RequestState` is one: `services` is made on first read. */
class HandlerRequest {
  readonly requestId: string;
  #services: KitServices | undefined = undefined;
  readonly #container: AwilixContainer<KitServices>;
  readonly #state: W3kitRequestState;

  constructor(
    public principal: Principal | null | undefined,
    public body: unknown,
    public query: unknown,
    public params: unknown,
    public ctx: Context,
    container: AwilixContainer<KitServices>,
    state: W3kitRequestState,
  ) {
    this.requestId = state.requestId;
    this.#container = container;
    this.#state = state;
  }

  get services(): KitServices {
    return (this.#services ??= requestServices(this.#container, this.#state));
  }

  get log(): Logger {
    return this.#state.log;
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * Validates the request against the route's schemas, authenticates it and counts its rate
 * limits as the route declares, runs the handler, writes the result. A route with nothing to
 * wait for before its handler — no body to read or drop, no auth, no rate limit — and a
 * handler that answers at once (/healthz) runs without a promise.
 */
export function runRoute(container: AwilixContainer<KitServices>, route: AnyRouteSpec, format: WireFormat, bodyLimitBytes: number): Endpoint {
  const paramNames = paramNamesOf(route.path);
  const auth = (route.auth as RouteAuth | undefined) ?? 'none';
  const limits = route.rateLimit ?? [];
  const compiled: CompiledRoute = {
    ...(route.body ? { body: compileValidator('body', route.body) } : {}),
    ...(route.query ? { query: compileValidator('query', route.query) } : {}),
    ...(route.params ? { params: compileValidator('params', route.params) } : {}),
  };
  const validates = compiled.body !== undefined || compiled.query !== undefined || compiled.params !== undefined;
  // a raw route or one that says so reads its own body (forms); any other route without a body schema drops one
  const dropsBody = !compiled.body && !route.readsBody && (!route.raw || route.method === 'GET');
  const waitsAlways = compiled.body !== undefined || auth !== 'none' || limits.length > 0;
  const successStatus = route.successStatus ?? 200;

  // a route that declares no schema (/healthz) skips validation altogether
  const parse = (ctx: Context, rawBody: unknown) =>
    validates
      ? parseParts<{ params: unknown; query: unknown; body: unknown }>({
          ...(compiled.params ? { params: [compiled.params, decodedParams(ctx, paramNames)] } : {}),
          ...(compiled.query ? { query: [compiled.query, { ...ctx.query }] } : {}),
          ...(compiled.body ? { body: [compiled.body, rawBody] } : {}),
        })
      : NOTHING_PARSED;

  const respond = (ctx: Context, result: unknown): void => {
    if (route.raw) return;
    ctx.status = successStatus;
    if (successStatus !== 204) ctx.body = format.success(result);
  };

  const run = (ctx: Context, request: HandlerRequest): unknown => {
    const result = route.handler(request);
    return isThenable(result) ? Promise.resolve(result).then((value) => respond(ctx, value)) : respond(ctx, result);
  };

  const prepare = async (ctx: Context, state: W3kitRequestState): Promise<HandlerRequest> => {
    if (dropsBody && hasBody(ctx) && !ctx.req.readableEnded) await discardBody(ctx, bodyLimitBytes);
    const rawBody = compiled.body ? await readJsonBody(ctx, bodyLimitBytes) : undefined;
    const { params, query, body } = parse(ctx, rawBody);
    // the authenticator is resolved only for a route that needs it: a kit without auth has none
    const principal = auth === 'required' ? await container.cradle.authenticator.require(ctx) : auth === 'optional' ? await container.cradle.authenticator.authenticate(ctx) : undefined;
    for (const limit of limits) {
      const key = limitKey(limit.key, principal, ctx, body);
      if (key !== null) await container.cradle.rateLimiter.enforce(limit.rule, key);
    }
    return new HandlerRequest(principal, body, query, params, ctx, container, state);
  };

  return (ctx: Context) => {
    const state = getRequestState(ctx)!;
    state.routeName = route.name;
    if (waitsAlways || (dropsBody && hasBody(ctx) && !ctx.req.readableEnded)) return prepare(ctx, state).then((request) => run(ctx, request));
    const { params, query } = parse(ctx, undefined);
    return run(ctx, new HandlerRequest(undefined, undefined, query, params, ctx, container, state));
  };
}

/** A route's middleware: the request opened, the route run inside its group's error boundary. */
export function routeMiddleware(
  container: AwilixContainer<KitServices>,
  logger: Logger,
  route: AnyRouteSpec,
  formatName: keyof typeof wireFormats,
  bodyLimitBytes: number,
  edge: EdgeOptions,
): Middleware {
  const format = wireFormats[formatName];
  return serveEndpoint(container, logger, edge, format, runRoute(container, route, format, bodyLimitBytes));
}
