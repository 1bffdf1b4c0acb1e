import { METHODS } from 'node:http';
import Router, { RouterEvents, type Layer } from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { coreErrors } from '../errors.js';
import type { AnyRouteSpec, KitUrls, RouteGroup } from '../plugin.js';
import { getRequestState } from './request-state.js';
import type { WireFormatName } from './wire-formats.js';

/** A route as mounted: its group, its plugin, and the middleware chain that serves it. */
export interface MountedRoute {
  plugin: string;
  group: RouteGroup;
  route: AnyRouteSpec;
  chain: Middleware;
}

/** Routes under one base path (`/rest/v1`): the groups of every plugin that share it, served by one Router. */
interface Bucket {
  basePath: string;
  /** The wire format of 404/405 answers: the first group's under this base path. */
  format: WireFormatName;
  routes: MountedRoute[];
}

export interface KitRouting {
  /** Every route below the mount path, for a host to nest in its own router at `config.mountPath`. */
  router: Router;
  /** Every route with the mount path in front, for `app.use(kit.middleware())`. */
  middleware: Middleware;
  urls: KitUrls;
}

/** The answer to a path a kit route serves with another method, or to an unknown path under a kit base path. */
export type FallbackFor = (format: WireFormatName, answer: (ctx: Context) => void) => Middleware;

/** `/a/b/` and `/a/b` are the same route (the router matches either without the slash); `/` stays `/`. */
const normalize = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

const hasParams = (route: MountedRoute) => route.route.path.includes(':');

/**
 * The routes in the order the router must try them: static paths before paths with params, so
 * `/nft/minted_by_me` is never read as `/nft/:token_id` (every matching layer runs in order,
 * and a route's handler ends the chain).
 */
const staticFirst = (routes: readonly MountedRoute[]) => [...routes.filter((r) => !hasParams(r)), ...routes.filter(hasParams)];

function bucketsOf(routes: readonly MountedRoute[], basePathOf: (group: RouteGroup) => string): Bucket[] {
  const buckets = new Map<string, Bucket>();
  for (const mounted of routes) {
    const basePath = basePathOf(mounted.group);
    const bucket = buckets.get(basePath) ?? buckets.set(basePath, { basePath, format: mounted.group.format, routes: [] }).get(basePath)!;
    bucket.routes.push(mounted);
  }
  // Longest base path first: a base path's catch-all 404 must not shadow a longer one's routes.
  return [...buckets.values()].sort((a, b) => b.basePath.length - a.basePath.length);
}

const routerOptions = { sensitive: true };

/** One `router.register` call: a route's path (with its prefix), methods and chain. */
interface Registration {
  path: string;
  methods: string[];
  chain: Middleware;
  name: string;
}

/**
 * What a not-found event of a `kit.middleware()` Router answers: the bucket's fallback, or —
 * under the empty base path, for a path no kit route serves (`servesPath`: a host's router
 * before the kit may have matched it too) — the host's next middleware.
 */
function onNotFound(router: Router, bucket: Bucket, fallback: Middleware, servesPath: (ctx: Context) => boolean): void {
  const passesOn = bucket.basePath === '';
  router.on(RouterEvents.NotFound, (ctx: Context, next: Next) => (passesOn && !servesPath(ctx) ? next() : (fallback(ctx, next) as unknown)));
}

/**
 * Fills a router with one bucket's routes under `prefix`, and answers, in the bucket's wire
 * format, a path a route serves with another method (405 with `Allow`, OPTIONS) and, under a
 * non-empty base path, a path no route serves (404) — so a client that always parses the
 * envelope gets one. Two ways to answer them:
 * - `'layers'` (`kit.router`, which a host's router copies layer by layer and whose events it
 *   never runs): per path a layer taking only the methods no route serves there (a served
 *   request then matches one layer, not two), and a catch-all layer for the 404;
 * - `notFoundEvent` (`kit.middleware()`): the Router's not-found event, which fires when no
 *   layer matched path and method, with the layers matched by path in `ctx.matched` — no layer
 *   of its own, so a served request is tested against the routes only (the router tests every
 *   layer's pattern, per request).
 * Returns the routes' registrations, in the router's order.
 */
function fillRouter(router: Router, bucket: Bucket, prefix: string, fallback: Middleware, unrouted: 'layers' | { notFoundEvent: (ctx: Context) => boolean }): Registration[] {
  const registrations = staticFirst(bucket.routes).map(({ route, chain }) => ({ path: normalize(`${prefix}${route.path}`) || '/', methods: [route.method], chain, name: route.name }));
  for (const { path, methods, chain, name } of registrations) router.register(path, methods, chain, { name });
  if (unrouted !== 'layers') {
    onNotFound(router, bucket, fallback, unrouted.notFoundEvent);
    return registrations;
  }
  const served = new Map<string, Set<string>>();
  for (const { path, methods } of registrations) {
    const set = served.get(path) ?? served.set(path, new Set()).get(path)!;
    for (const method of methods) set.add(method);
    // the router serves HEAD with a GET route
    if (methods.includes('GET')) set.add('HEAD');
  }
  for (const [path, methods] of served)
    router.register(
      path,
      METHODS.filter((m) => !methods.has(m)),
      fallback,
    );
  if (bucket.basePath !== '') router.all(`${prefix}{/*rest}`, fallback);
  return registrations;
}

/**
 * The methods the kit's routes serve on the request's path, from the layers the router
 * matched by path (a host's own layers, when the kit is nested in its router, are left out).
 */
function allowedMethods(ctx: Context, chains: ReadonlySet<Middleware>): string[] {
  const matched = (ctx as Context & { matched?: Layer[] }).matched ?? [];
  const methods = new Set<string>();
  for (const layer of matched) {
    if (layer.methods.length === 0 || !layer.stack.some((fn) => chains.has(fn as Middleware))) continue;
    for (const method of layer.methods) methods.add(method);
  }
  if (methods.size > 0) methods.add('OPTIONS');
  return METHOD_ORDER.filter((m) => methods.has(m));
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function answerUnrouted(chains: ReadonlySet<Middleware>): (ctx: Context) => void {
  return (ctx: Context) => {
    const allowed = allowedMethods(ctx, chains);
    const state = getRequestState(ctx);
    if (state) state.routeName = undefined;
    if (allowed.length === 0) throw coreErrors.create('NOT_FOUND', { message: 'No route serves this path.' });
    ctx.set('allow', allowed.join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    throw coreErrors.create('METHOD_NOT_ALLOWED', { headers: { allow: allowed.join(', ') } });
  };
}

/** A `kit.middleware()` Router of one base path: its prefix, its middleware, and what it needs to make Routers of exact paths. */
interface BucketRouter {
  prefix: string;
  /** `prefix` and a slash: what a path below it starts with. */
  below: string;
  middleware: Middleware;
  bucket: Bucket;
  router: Router;
  registrations: readonly Registration[];
  fallback: Middleware;
}

/** Whether `path` is under the router's base path (the empty one holds every path). */
const isUnder = ({ prefix, below }: BucketRouter, path: string) => prefix === '' || path === prefix || path.startsWith(below);

/** The Router of the longest base path `path` is under (they are sorted longest first), as `dispatch` picks it. */
function routerFor(routers: readonly BucketRouter[], path: string): BucketRouter | undefined {
  // a loop, not routers.find: this runs for every request whose path is not an exact one, and find's callback would be a closure each time
  for (const router of routers) if (isUnder(router, path)) return router;
  return undefined;
}

const isStaticPath = (path: string) => !/[:*{]/.test(path);

/**
 * Routers by exact path: for each path a route serves without params (`/rest/v1/account/my_info`),
 * with and without a trailing slash, a Router of only the layers of its base path's Router whose
 * patterns match that path, in the same order. A request for it is tested against those (one or
 * two) instead of every route under its base path (twenty under auth's `/rest/v1`), with the
 * same answer: the layers left out are those that cannot match it, and the not-found event is
 * the same. A static route shadowed by a longer base path (never served) gets none.
 */
function exactRouters(routers: readonly BucketRouter[], servesPath: (ctx: Context) => boolean): Map<string, Middleware> {
  const exact = new Map<string, Middleware>();
  for (const { registrations } of routers) {
    for (const { path } of registrations) {
      if (!isStaticPath(path)) continue;
      for (const candidate of path === '/' ? [path] : [path, `${path}/`]) {
        const owner = routerFor(routers, candidate);
        if (!owner || exact.has(candidate)) continue;
        const matching = owner.registrations.filter((_, i) => owner.router.stack[i]!.match(candidate));
        if (matching.length === 0) continue;
        const router = new Router(routerOptions);
        for (const { path: layerPath, methods, chain, name } of matching) router.register(layerPath, methods, chain, { name });
        onNotFound(router, owner.bucket, owner.fallback, servesPath);
        exact.set(candidate, router.routes() as unknown as Middleware);
      }
    }
  }
  return exact;
}

/**
 * Dispatches a request: an exact path to its own Router, any other to the router of the
 * longest base path it is under, with the host's `next`. No other kit router could serve it:
 * every base path but the empty one answers a 404 for what it does not route, and the empty
 * one sorts last.
 */
function dispatch(exact: ReadonlyMap<string, Middleware>, routers: readonly BucketRouter[]): Middleware {
  return (ctx: Context, next: Next) => {
    const path = ctx.path;
    const router = exact.get(path) ?? routerFor(routers, path)?.middleware;
    return router ? (router(ctx, next) as unknown) : next();
  };
}

function urlsOf(templates: ReadonlyMap<string, string>, publicUrl: string): KitUrls {
  const path = (name: string, params: Readonly<Record<string, string>> = {}) => {
    const template = templates.get(name);
    if (template === undefined) throw new TypeError(`urls: no route is named "${name}"`);
    return template.replace(/:([A-Za-z0-9_]+)/g, (_, param: string) => {
      const value = params[param];
      if (value === undefined) throw new TypeError(`urls: route "${name}" needs the param "${param}"`);
      return encodeURIComponent(value);
    });
  };
  return { path, to: (name, params) => `${publicUrl}${path(name, params)}` };
}

/**
 * Mounts the kit's routes on @koa/router: for `kit.middleware()` one Router per base path (a
 * request only meets the routers of its base path) and one per exact path (see `exactRouters`),
 * one Router of every route for a host to nest, and the URL of every route by name — all from
 * the same table.
 */
export function buildRouting(routes: readonly MountedRoute[], options: { mountPath: string; publicUrl: string; basePathOf: (group: RouteGroup) => string; fallbackFor: FallbackFor }): KitRouting {
  const buckets = bucketsOf(routes, options.basePathOf);
  const chains = new Set(routes.map((r) => r.chain));
  const answer = answerUnrouted(chains);
  const servesPath = (ctx: Context) => allowedMethods(ctx, chains).length > 0;
  const router = new Router(routerOptions);
  const mounted: BucketRouter[] = [];
  const templates = new Map<string, string>();
  for (const bucket of buckets) {
    const fallback = options.fallbackFor(bucket.format, answer);
    // a host's router copies the kit's layers and never runs its events: the catch-all is a layer there
    fillRouter(router, bucket, bucket.basePath, fallback, 'layers');
    const own = new Router(routerOptions);
    const prefix = `${options.mountPath}${bucket.basePath}`;
    // kit.middleware() asks this router only for paths under its base path
    const registrations = fillRouter(own, bucket, prefix, fallback, { notFoundEvent: servesPath });
    mounted.push({ prefix, below: `${prefix}/`, middleware: own.routes() as unknown as Middleware, bucket, router: own, registrations, fallback });
    for (const { route } of bucket.routes) templates.set(route.name, `${prefix}${route.path}` || '/');
  }
  return { router, middleware: dispatch(exactRouters(mounted, servesPath), mounted), urls: urlsOf(templates, options.publicUrl) };
}
