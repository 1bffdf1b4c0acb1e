import { Type } from '@sinclair/typebox';
import { asFunction, asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { systemClock } from './clock.js';
import { KitConfigError, resolveKitConfig, type KitConfig, type KitConfigInput } from './config/kit-config.js';
import type { KitServices } from './container.js';
import { createEnvelopeEncryption } from './crypto/envelope-encryption.js';
import { weakKeyReason } from './crypto/key-strength.js';
import { createHashingQueue, type HashingQueue } from './crypto/hashing-queue.js';
import { createScryptHasher } from './crypto/secret-hasher.js';
import { coreMigrations } from './database/core-migrations.js';
import { createDatabase, type DatabaseHandle } from './database/create-database.js';
import { migrateToLatest, pendingMigrations, type MigrationOwner } from './database/migrations.js';
import { DOCS_ASSET_NAMES, DOCS_PAGE_CSP, docsAsset, renderDocsUiPage } from './http/docs-ui.js';
import { withRequestExamples } from './http/openapi-examples.js';
import { buildOpenApi, type MountedGroup } from './http/openapi.js';
import { createProxyMatcher } from './http/client-ip.js';
import { buildRouting, type MountedRoute } from './http/kit-router.js';
import { routeMiddleware, serveEndpoint, type EdgeOptions } from './http/route-middleware.js';
import { wireFormats } from './http/wire-formats.js';
import type Router from '@koa/router';
import { coreErrors, type ErrorCatalog } from './errors.js';
import { createLogger } from './logging/logger.js';
import { createOneTimeCodes } from './one-time-codes/one-time-codes.js';
import { defineRoute, type AnyRouteSpec, type KitPlugin, type KitUrls, type RouteAuth, type RouteGroup } from './plugin.js';
import { cryptoRandom } from './random.js';
import { createRateLimiter, validateRateLimitRule, type RateLimitRule } from './rate-limit/rate-limiter.js';
import { createLogEmailSender, createLogSmsSender } from './senders/senders.js';

export interface CreateKitOptions {
  /** A database URL (`sqlite:…`, `mysql://…`; the kit then owns and closes it) or an open handle. */
  database: string | DatabaseHandle;
  plugins?: readonly KitPlugin[];
  config: KitConfigInput;
  /** A pino logger; default: a new one with the kit's redaction rules. */
  logger?: Logger;
  /**
   * Services that replace the defaults after the plugins registered theirs: a clock, a
   * random source, real SMS and email senders, a store of the host's own. A service with a
   * `close()` method is closed by `kit.close()`.
   */
  services?: Partial<Omit<KitServices, 'requestId'>>;
}

export interface Kit {
  readonly config: KitConfig;
  /** The awilix container, for programmatic use of every service. */
  readonly container: AwilixContainer<KitServices>;
  readonly services: KitServices;
  /** Koa middleware serving every route of the kit under `config.mountPath`; requests it does not know pass on. */
  middleware(): Middleware;
  /**
   * A @koa/router Router of every route, paths below the mount path: nest it in the host's
   * router at `config.mountPath` — `hostRouter.use('/identity', kit.router.routes(), kit.router.allowedMethods())`.
   */
  readonly router: Router;
  /** URLs of the kit's routes by name (`kit.urls.to('nft.fetch', { token_id })`). */
  readonly urls: KitUrls;
  /** The routes served, as `METHOD /full/path`. */
  readonly routes: readonly string[];
  /** The OpenAPI 3.1 document. */
  openapi(): Record<string, unknown>;
  /** Runs the housekeeping sweep now (it also runs every `housekeepingIntervalSeconds`). */
  runHousekeeping(): Promise<void>;
  /** Runs pending migrations of core and every plugin; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Stops housekeeping and closes the database if the kit opened it. */
  close(): Promise<void>;
}

const CORE_OWNER: MigrationOwner = { name: 'core', migrations: coreMigrations };

const migrationOwners = (plugins: readonly KitPlugin[]): MigrationOwner[] => [CORE_OWNER, ...plugins.filter((p) => p.migrations).map((p) => ({ name: p.name, migrations: p.migrations! }))];

/**
 * Applies pending migrations of core and the plugins, without building a kit (no services, no
 * startup hooks): what `w3kit migrate` runs. Returns the names applied (`auth/0001_accounts`).
 */
export async function runMigrations(database: string | DatabaseHandle, plugins: readonly KitPlugin[] = []): Promise<string[]> {
  validateComposition(plugins);
  const handle = typeof database === 'string' ? createDatabase(database) : database;
  try {
    const applied: string[] = [];
    for (const owner of migrationOwners(plugins)) applied.push(...(await migrateToLatest(handle, owner)).map((m) => `${owner.name}/${m}`));
    return applied;
  } finally {
    if (typeof database === 'string') await handle.destroy();
  }
}

function validateComposition(plugins: readonly KitPlugin[]): void {
  // checked as unknown: Array.isArray would narrow `plugins` itself to any[]
  const given: unknown = plugins;
  if (!Array.isArray(given)) throw new TypeError('createKit: plugins must be an array of plugin objects, e.g. [auth(), nft()]');
  const names = new Set<string>();
  plugins.forEach((plugin, i) => {
    if (plugin === null || typeof plugin !== 'object' || typeof plugin.name !== 'string') {
      throw new TypeError(`createKit: plugins[${i}] is not a plugin; pass the result of the factory (auth(), not auth)`);
    }
    if (!/^[a-z][a-z0-9-]*$/.test(plugin.name)) throw new TypeError(`createKit: plugin name "${plugin.name}" must be lower case (a-z, 0-9, -)`);
    if (plugin.name === 'core') throw new TypeError('createKit: the plugin name "core" is reserved');
    if (names.has(plugin.name)) throw new TypeError(`createKit: plugin "${plugin.name}" is composed twice; keep one ${plugin.name}() in plugins`);
    names.add(plugin.name);
  });
  for (const plugin of plugins) {
    for (const required of plugin.requires ?? []) {
      if (!names.has(required)) {
        throw new TypeError(`createKit: plugin "${plugin.name}" requires plugin "${required}", which is not composed; add ${required}() to plugins`);
      }
    }
  }
}

function collectRateLimits(plugins: readonly KitPlugin[], overrides: KitConfig['rateLimits']): Record<string, RateLimitRule> {
  const rules: Record<string, RateLimitRule> = {};
  for (const plugin of plugins) {
    for (const [name, rule] of Object.entries(plugin.rateLimits ?? {})) {
      if (rules[name]) throw new TypeError(`createKit: rate limit rule "${name}" is declared twice (second by "${plugin.name}")`);
      rules[name] = validateRateLimitRule(name, rule);
    }
  }
  const unknown = Object.keys(overrides).filter((name) => !rules[name]);
  if (unknown.length > 0) {
    throw new KitConfigError(unknown.map((name) => `config.rateLimits.${name}: no composed plugin declares this rule (known: ${Object.keys(rules).join(', ') || 'none'})`));
  }
  return { ...rules, ...overrides };
}

/** The catalog of every error code a route may name: core's and each composed plugin's. */
function errorCatalog(plugins: readonly KitPlugin[]): ErrorCatalog {
  return Object.assign({}, coreErrors.catalog, ...plugins.map((p) => p.errors ?? {})) as ErrorCatalog;
}

/**
 * Checks every route's declaration against the composition, so a route that cannot be served
 * as declared fails at startup: a unique name, an authenticator when it needs one, rate-limit
 * rules that exist and keys it can compute, error codes some catalog defines.
 */
function validateRoutes(
  routes: readonly { plugin: string; route: AnyRouteSpec }[],
  context: { hasAuthenticator: boolean; rules: Readonly<Record<string, RateLimitRule>>; catalog: ErrorCatalog },
): void {
  const names = new Map<string, string>();
  for (const { plugin, route } of routes) {
    const where = `createKit: route ${route.method} ${route.path} of "${plugin}"`;
    if (typeof route.name !== 'string' || !/^[a-z][a-z0-9-]*(\.[a-z0-9_-]+)+$/i.test(route.name)) throw new TypeError(`${where} needs a name such as "${plugin}.operation"`);
    if (names.has(route.name)) throw new TypeError(`${where}: the route name "${route.name}" is taken by "${names.get(route.name)}"`);
    names.set(route.name, plugin);
    const auth = (route.auth as RouteAuth | undefined) ?? 'none';
    if (auth !== 'none' && !context.hasAuthenticator) {
      throw new TypeError(`${where} (${route.name}) needs auth "${auth}", and no authenticator is composed; add auth() to plugins`);
    }
    for (const limit of route.rateLimit ?? []) {
      if (!context.rules[limit.rule]) throw new TypeError(`${where} (${route.name}) counts the rate limit "${limit.rule}", which no composed plugin declares`);
      if (limit.key === 'principal' && auth !== 'required') throw new TypeError(`${where} (${route.name}) keys "${limit.rule}" on the principal but its auth is "${auth}", not "required"`);
      if (typeof limit.key === 'object' && !route.body) throw new TypeError(`${where} (${route.name}) keys "${limit.rule}" on a body field but has no body`);
    }
    for (const code of route.errors ?? []) {
      if (!context.catalog[code]) throw new TypeError(`${where} (${route.name}) names the error code ${code}, which no composed catalog defines`);
    }
  }
}

function kitRoutes(openapi: () => Record<string, unknown>, urls: KitUrls, serveDocs: boolean): RouteGroup {
  const routes: AnyRouteSpec[] = [
    defineRoute({
      method: 'GET',
      name: 'kit.healthz',
      path: '/healthz',
      summary: 'Liveness: the process answers.',
      response: Type.Object({ status: Type.Literal('ok') }),
      handler: () => ({ status: 'ok' }),
    }),
    defineRoute({
      method: 'GET',
      name: 'kit.readyz',
      path: '/readyz',
      summary: 'Readiness: the database answers (503 when it does not).',
      response: Type.Object({ status: Type.String(), database: Type.String() }),
      async handler({ services, ctx }) {
        const up = await services.database.ping();
        ctx.status = up ? 200 : 503;
        ctx.body = { status: up ? 'ready' : 'unavailable', database: up ? 'up' : 'down' };
      },
      raw: true,
    }),
  ];
  if (serveDocs) {
    routes.push(
      defineRoute({
        name: 'kit.openapi',
        method: 'GET',
        path: '/openapi.json',
        summary: 'This OpenAPI 3.1 document.',
        response: Type.Object({ openapi: Type.Literal('3.1.0') }, { additionalProperties: true }),
        handler: () => openapi(),
      }),
      defineRoute({
        name: 'kit.docs',
        method: 'GET',
        path: '/docs',
        summary: 'Browsable API documentation.',
        raw: true,
        handler({ ctx }) {
          ctx.type = 'text/html; charset=utf-8';
          ctx.set('content-security-policy', DOCS_PAGE_CSP);
          ctx.body = renderDocsUiPage('w3kit', urls.path('kit.openapi'), (file) => urls.path('kit.docs.asset', { file }));
        },
      }),
      defineRoute({
        name: 'kit.docs.asset',
        method: 'GET',
        path: '/docs/assets/:file',
        summary: 'The API reference page’s script and stylesheet (Swagger UI, served by the kit: no CDN).',
        params: Type.Object({ file: Type.Union(DOCS_ASSET_NAMES.map((name) => Type.Literal(name))) }),
        raw: true,
        handler({ ctx, params }) {
          const asset = docsAsset(params.file)!;
          // The same bytes for the life of the process (the kit's version): a browser revalidates
          // after an hour, and an unchanged asset costs a 304, not 1.7 MB.
          ctx.status = 200;
          ctx.type = asset.type;
          ctx.set('etag', asset.etag);
          ctx.set('cache-control', 'public, max-age=3600');
          if (ctx.fresh) {
            ctx.status = 304;
            return;
          }
          ctx.body = asset.body;
        },
      }),
    );
  }
  return { api: 'kit', basePath: '', format: 'finenex', routes };
}

/** Step 1: the container with core's services, each plugin's, then the host's replacements. */
function registerServices(
  config: KitConfig,
  logger: Logger,
  database: DatabaseHandle,
  hashingQueue: HashingQueue,
  rateLimitRules: Record<string, RateLimitRule>,
  plugins: readonly KitPlugin[],
  services: CreateKitOptions['services'],
  urls: KitUrls,
): AwilixContainer<KitServices> {
  const container = createContainer<KitServices>({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register({
    config: asValue(config),
    logger: asValue(logger),
    database: asValue(database),
    db: asValue(database.db),
    clock: asValue(systemClock),
    random: asValue(cryptoRandom),
    hashingQueue: asValue(hashingQueue),
    secretHasher: asValue(createScryptHasher(config.passwordHashCost, hashingQueue)),
    encryption: asValue(createEnvelopeEncryption(config.masterKey, config.previousMasterKeys)),
    rateLimiter: asFunction(({ database, clock, encryption }: KitServices) => createRateLimiter({ database, clock, encryption, rules: rateLimitRules })).singleton(),
    oneTimeCodes: asFunction(({ database, clock, random, encryption }: KitServices) => createOneTimeCodes({ database, clock, random, encryption })).singleton(),
    smsSender: asFunction(({ logger }: KitServices) => createLogSmsSender(logger)).singleton(),
    emailSender: asFunction(({ logger }: KitServices) => createLogEmailSender(logger)).singleton(),
    urls: asValue(urls),
  });
  for (const plugin of plugins) plugin.register?.(container, { config, logger, urls });
  for (const [name, service] of Object.entries(services ?? {})) {
    // A service with close() (an SMTP pool, an HTTP agent) is closed by kit.close().
    const close = (service as { close?: unknown } | null)?.close;
    container.register(
      name,
      typeof close === 'function'
        ? asFunction((): unknown => service)
            .singleton()
            .disposer(() => close.call(service) as Promise<void> | void)
        : asValue(service),
    );
  }
  return container;
}

/**
 * Step 2: production refuses development senders, test-speed hashing and weak keys, and warns
 * about an http: public URL; every mode warns about a proxy list that trusts everyone.
 */
function checkProduction(config: KitConfig, logger: Logger, plugins: readonly KitPlugin[], container: AwilixContainer<KitServices>): void {
  if (config.mode === 'production') {
    const problems: string[] = [];
    const used = new Set(plugins.flatMap((p) => p.uses ?? []));
    for (const name of used) {
      if (container.cradle[name].development) {
        const users = plugins.filter((p) => p.uses?.includes(name)).map((p) => p.name);
        problems.push(`${name}: the development log sender cannot run in production (used by ${users.join(', ')}); configure a real sender`);
      }
    }
    if (config.passwordHashCost < 15) problems.push('config.passwordHashCost: below 15 is for tests only');
    // previous keys are not checked: refusing a weak one would block rotating away from it
    const weakKey = weakKeyReason(config.masterKey);
    if (weakKey) problems.push(`config.masterKey: ${weakKey}; production needs a random key (\`openssl rand -hex 32\`)`);
    if (problems.length > 0) throw new KitConfigError(problems);
    if (!config.publicUrl.startsWith('https:')) {
      logger.warn({ publicUrl: config.publicUrl }, 'production with an http: publicUrl: links, tokens and codes travel in clear unless a TLS proxy on this host serves the https URL');
    }
  }
  if (config.trustedProxies.some((entry) => entry.trim().endsWith('/0'))) {
    logger.warn({ trustedProxies: config.trustedProxies }, 'trustedProxies trusts every address of a family (/0): any client can choose its own IP for the per-IP limits');
  }
}

/** Step 3: runs pending migrations (`migrations: 'run'`) or refuses to start with any pending (`'check'`). */
async function migrateOrCheck(config: KitConfig, logger: Logger, database: DatabaseHandle, plugins: readonly KitPlugin[]): Promise<void> {
  if (config.migrations === 'run') {
    const applied = await runMigrations(database, plugins);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  } else if (config.migrations === 'check') {
    const pending: string[] = [];
    for (const owner of migrationOwners(plugins)) pending.push(...(await pendingMigrations(database, owner)).map((m) => `${owner.name}/${m}`));
    if (pending.length > 0) throw new Error(`pending migrations: ${pending.join(', ')}; run \`w3kit migrate\` first`);
  }
}

interface MountedRoutes {
  middleware: Middleware;
  router: Router;
  urls: KitUrls;
  /** `METHOD /full/path` of every route. */
  routes: string[];
  openapi: () => Record<string, unknown>;
}

/**
 * Step 4: every group under its mount and base path on @koa/router (a path served twice, or a
 * declaration the composition cannot serve, fails here), and the URLs of the routes by name.
 */
function mountRoutes(
  config: KitConfig,
  logger: Logger,
  plugins: readonly KitPlugin[],
  container: AwilixContainer<KitServices>,
  rateLimitRules: Record<string, RateLimitRule>,
  urls: KitUrls,
): MountedRoutes {
  const edge: EdgeOptions = {
    proxies: createProxyMatcher(config.trustedProxies),
    hsts: config.mode === 'production' && config.publicUrl.startsWith('https:') && config.hstsMaxAgeSeconds > 0 ? `max-age=${config.hstsMaxAgeSeconds}` : undefined,
  };
  const mounted: MountedGroup[] = [];
  const catalog = errorCatalog(plugins);
  let openapiDoc: Record<string, unknown> | undefined;
  const openapi = () => (openapiDoc ??= withRequestExamples(buildOpenApi(mounted, { title: 'w3kit', version: '0.1.0', serverUrl: config.publicUrl, catalog }), mounted));
  const groups: { plugin: string; group: RouteGroup }[] = [
    { plugin: 'core', group: kitRoutes(openapi, urls, config.serveDocs) },
    ...plugins.flatMap((plugin) => (plugin.routes ?? []).map((group) => ({ plugin: plugin.name, group }))),
  ];
  const basePathOf = (group: RouteGroup) => config.basePaths[group.api] ?? group.basePath;
  const routes: MountedRoute[] = [];
  const seen = new Map<string, string>();
  for (const { plugin, group } of groups) {
    const prefix = `${config.mountPath}${basePathOf(group)}`;
    mounted.push({ group, prefix, plugin });
    for (const route of group.routes) {
      const path = `${prefix}${route.path}` || '/';
      const key = `${route.method} ${path}`;
      if (seen.has(key)) throw new TypeError(`createKit: route ${key} is served by both "${seen.get(key)}" and "${plugin}"`);
      seen.set(key, plugin);
      routes.push({ plugin, group, route, chain: routeMiddleware(container, logger, route, group.format, config.bodyLimitBytes, edge) });
    }
  }
  validateRoutes(
    groups.flatMap(({ plugin, group }) => group.routes.map((route) => ({ plugin, route }))),
    { hasAuthenticator: container.hasRegistration('authenticator'), rules: rateLimitRules, catalog },
  );
  const routing = buildRouting(routes, {
    mountPath: config.mountPath,
    publicUrl: config.publicUrl,
    basePathOf,
    fallbackFor: (format, answer) => serveEndpoint(container, logger, edge, wireFormats[format], answer),
  });
  return { middleware: routing.middleware, router: routing.router, urls: routing.urls, routes: [...seen.keys()], openapi };
}

interface Housekeeping {
  /** Deletes expired codes, counters and plugins' expired rows, now. */
  run(): Promise<void>;
  stop(): void;
}

/** Step 5: the sweep of expired rows, every `housekeepingIntervalSeconds` (0: only when run by hand). */
function startHousekeeping(config: KitConfig, logger: Logger, plugins: readonly KitPlugin[], container: AwilixContainer<KitServices>): Housekeeping {
  const run = async () => {
    await Promise.all([container.cradle.rateLimiter.purgeExpired(), container.cradle.oneTimeCodes.purgeExpired(), ...plugins.map((p) => p.housekeeping?.(container.cradle))]);
  };
  let timer: NodeJS.Timeout | undefined;
  if (config.housekeepingIntervalSeconds > 0) {
    timer = setInterval(() => {
      run().catch((error: unknown) => logger.warn({ err: error }, 'housekeeping failed'));
    }, config.housekeepingIntervalSeconds * 1000);
    timer.unref();
  }
  return { run, stop: () => clearInterval(timer) };
}

/**
 * Composes plugins into a kit: validates the composition and the config, opens the database,
 * then runs its steps: register services, check production, migrate, mount routes, start
 * housekeeping. A composition error fails here, at startup, with a message that says what to fix.
 */
export async function createKit(options: CreateKitOptions): Promise<Kit> {
  if (options === null || typeof options !== 'object') throw new TypeError('createKit: options are required');
  const plugins = options.plugins ?? [];
  validateComposition(plugins);
  const config = resolveKitConfig(options.config);
  const rateLimitRules = collectRateLimits(plugins, config.rateLimits);
  const logger = options.logger ?? createLogger({ level: config.mode === 'test' ? 'silent' : 'info' });
  if (options.database === undefined) throw new TypeError('createKit: database is required (a URL such as sqlite:data/w3kit.db, or a handle from createDatabase)');
  const ownsDatabase = typeof options.database === 'string';
  const database = typeof options.database === 'string' ? createDatabase(options.database) : options.database;

  const hashingQueue = createHashingQueue({ concurrency: config.passwordHashConcurrency, maxWaiting: config.passwordHashQueueLimit });

  try {
    // URLs by name are known once the routes are mounted; until then the object only delegates.
    let kitUrls: KitUrls | undefined;
    const urlsNotYet = (): never => {
      throw new TypeError('urls: route URLs are known once the kit is built; call urls.to() at request time or in onReady, not in register()');
    };
    const urls: KitUrls = {
      path: (name, params) => (kitUrls ? kitUrls.path(name, params) : urlsNotYet()),
      to: (name, params) => (kitUrls ? kitUrls.to(name, params) : urlsNotYet()),
    };
    const container = registerServices(config, logger, database, hashingQueue, rateLimitRules, plugins, options.services, urls);
    checkProduction(config, logger, plugins, container);
    await migrateOrCheck(config, logger, database, plugins);
    const mounted = mountRoutes(config, logger, plugins, container, rateLimitRules, urls);
    kitUrls = mounted.urls;
    for (const plugin of plugins) await plugin.onReady?.(container.cradle);
    const housekeeping = startHousekeeping(config, logger, plugins, container);

    return {
      config,
      container,
      services: container.cradle,
      middleware: () => mounted.middleware,
      router: mounted.router,
      urls,
      routes: mounted.routes,
      openapi: mounted.openapi,
      migrate: () => runMigrations(database, plugins),
      runHousekeeping: housekeeping.run,
      async close() {
        housekeeping.stop();
        await container.dispose();
        if (ownsDatabase) await database.destroy();
        // a logger of the kit's own holds its last lines in a buffer (createLogger): write them now
        if (!options.logger) logger.flush();
      },
    };
  } catch (error) {
    if (ownsDatabase) await database.destroy();
    throw error;
  }
}
