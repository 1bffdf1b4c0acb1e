import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createKit, createLogger, defineErrors, defineRoute, Type, type Clock, type CreateKitOptions, type Kit, type KitPlugin, type RouteGroup } from '@w3kit/core';
import { appFor as coreAppFor } from '@w3kit/core/testing';
import type Koa from 'koa';

export const MASTER_KEY = randomBytes(32).toString('hex');

/** A kit of core alone on `url`, on the given clock, without housekeeping (tests of core's services). */
export const coreKit = (url: string, clock: Clock) => createKit({ database: url, plugins: [], services: { clock }, config: { masterKey: MASTER_KEY, mode: 'test', housekeepingIntervalSeconds: 0 } });

/** A pino destination that keeps every line, parsed, for assertions on logs. */
export function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info' }, stream) };
}

export const probeErrors = defineErrors({
  WRONG_CODE: { status: 422, message: 'The code is wrong.' },
  NO_SUCH_THING: { status: 404, message: 'No such thing.' },
});

const Echo = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 20 }),
  count: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** The same routes in another group: route names are unique in a kit, so each copy gets the group's name in front. */
export const inGroup = (api: string, routes: RouteGroup['routes']): RouteGroup['routes'] => routes.map((route) => ({ ...route, name: `${api}.${route.name}` }));

/** The same routes in each wire format, each failing in one chosen way. */
function probeRoutes(): RouteGroup['routes'] {
  return [
    defineRoute({ name: 'test.post_echo', method: 'POST', path: '/echo', summary: 'Echoes a validated body.', body: Echo, response: Echo, handler: ({ body }) => body }),
    defineRoute({
      name: 'test.get_things_id',
      method: 'GET',
      path: '/things/:id',
      summary: 'Reads a thing by numeric id, with paging in the query.',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      query: Type.Object({ pageNum: Type.Integer({ minimum: 1, default: 1 }), order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }) }),
      handler: ({ params, query }) => ({ id: params.id, pageNum: query.pageNum, order: query.order }),
    }),
    defineRoute({ name: 'test.post_fail_processing', method: 'POST', path: '/fail/processing', summary: 'Fails with 422.', handler: () => probeErrors.raise('WRONG_CODE') }),
    defineRoute({ name: 'test.get_fail_missing', method: 'GET', path: '/fail/missing', summary: 'Fails with 404.', handler: () => probeErrors.raise('NO_SUCH_THING') }),
    defineRoute({
      name: 'test.get_fail_limited',
      method: 'GET',
      path: '/fail/limited',
      summary: 'Rate limited after 2 hits per IP.',
      handler: async ({ services, ctx }) => services.rateLimiter.enforce('probe.hits', ctx.ip).then(() => ({ ok: true })),
    }),
    defineRoute({
      name: 'test.get_fail_bug',
      method: 'GET',
      path: '/fail/bug',
      summary: 'Throws an unexpected error.',
      handler: () => {
        throw new Error('secret internal detail');
      },
    }),
    defineRoute({
      name: 'test.get_fail_deadlock',
      method: 'GET',
      path: '/fail/deadlock',
      summary: 'Loses a deadlock the store did not retry (MySQL errno 1213).',
      handler: () => {
        throw Object.assign(new Error('Deadlock found when trying to get lock'), { errno: 1213, code: 'ER_LOCK_DEADLOCK' });
      },
    }),
    defineRoute({ name: 'test.get_fail_koa-throw', method: 'GET', path: '/fail/koa-throw', summary: 'ctx.throw(403) as a Koa app would.', handler: ({ ctx }) => ctx.throw(403, 'no entry') }),
    defineRoute({
      name: 'test.get_state',
      method: 'GET',
      path: '/state',
      summary: 'Shows what it sees of the request state.',
      handler: ({ ctx, requestId }) => ({ requestId, hostState: (ctx.state as { host?: unknown }).host ?? null }),
    }),
  ];
}

export function probePlugin(): KitPlugin {
  return {
    name: 'probe',
    errors: probeErrors.catalog,
    rateLimits: { 'probe.hits': { limit: 2, windowSeconds: 60 } },
    routes: [
      { api: 'web3connect', basePath: '/rest/v1', format: 'web3connect', routes: inGroup('web3connect', probeRoutes()) },
      { api: 'origin', basePath: '/api/attestations', format: 'origin', routes: inGroup('origin', probeRoutes()) },
      { api: 'finenex', basePath: '/v2', format: 'finenex', routes: inGroup('finenex', probeRoutes()) },
    ],
  };
}

export async function probeKit(overrides: Partial<CreateKitOptions> = {}): Promise<Kit> {
  return createKit({
    database: 'sqlite::memory:',
    plugins: [probePlugin()],
    ...overrides,
    config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, ...overrides.config },
  });
}

export const appFor = (kit: Kit, before?: Koa.Middleware): Koa => coreAppFor(kit, before ? { before } : {});

/** Sends exact bytes to the app over a real socket (supertest re-encodes some bodies). */
export async function rawRequest(app: Koa, method: string, path: string, headers: Record<string, string>, body: Buffer) {
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.close();
  }
}
