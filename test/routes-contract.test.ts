import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, defineRoute, Type, type Kit, type KitConfigInput, type KitPlugin, type RouteSpec } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { nft } from '@w3kit/nft';
import Koa from 'koa';
import request from 'supertest';
import { createEndUser, MASTER_KEY } from '../packages/auth/test/support.js';
import { startFullKit, type FullKit } from './full-kit.js';

const config: KitConfigInput = { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com' };
const quiet = createLogger({ level: 'silent' });

/** A plugin serving `routes` under /rest/v1, with one rate-limit rule of 2 hits a minute. */
function probe(routes: RouteSpec[], extra: Partial<KitPlugin> = {}): KitPlugin {
  return {
    name: 'probe',
    routes: [{ api: 'probe', basePath: '/rest/v1', format: 'web3connect', routes }],
    rateLimits: { 'probe.tight': { limit: 2, windowSeconds: 60 } },
    ...extra,
  };
}

const whoAmI = defineRoute({
  name: 'probe.who-am-i',
  method: 'GET',
  path: '/who-am-i',
  summary: 'The principal core handed in.',
  auth: 'required',
  response: Type.Object({ accountId: Type.String() }),
  handler: ({ principal }) => ({ accountId: principal.accountId }),
});

const maybe = defineRoute({
  name: 'probe.maybe',
  method: 'GET',
  path: '/maybe',
  summary: 'An optional principal.',
  auth: 'optional',
  handler: ({ principal }) => ({ accountId: principal?.accountId ?? null }),
});

const limitedByBody = defineRoute({
  name: 'probe.limited',
  method: 'POST',
  path: '/limited',
  summary: 'Two hits a minute per body field.',
  body: Type.Object({ target: Type.String() }),
  rateLimit: [{ rule: 'probe.tight', key: { body: 'target' } }],
  handler: ({ body }) => ({ target: body.target }),
});

describe('routes-a: 404, 405 and OPTIONS in each wire format', () => {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let full: FullKit;
      before(async () => {
        db = await createTestDatabase(kind);
        full = await startFullKit(db.url);
      });
      after(async () => {
        await full?.close();
        await db?.drop();
      });

      it('Web3Connect (/rest/v1): the envelope', async () => {
        const unknown = await request(full.url).get('/rest/v1/no/such/route');
        assert.equal(unknown.status, 404);
        assert.deepEqual(unknown.body, { status: 'error', result: null, error: { code: 'NOT_FOUND', message: 'No route serves this path.' } });
        const other = await request(full.url).put('/rest/v1/nft/minted_by_me');
        assert.equal(other.status, 405);
        assert.equal(other.headers['allow'], 'GET, HEAD, OPTIONS');
        assert.deepEqual(other.body, { status: 'error', result: null, error: { code: 'METHOD_NOT_ALLOWED', message: 'This path does not serve that method.' } });
        const options = await request(full.url).options('/rest/v1/nft/42');
        assert.equal(options.status, 204);
        assert.equal(options.headers['allow'], 'GET, HEAD, OPTIONS');
        assert.equal(options.headers['x-content-type-options'], 'nosniff');
      });

      it('Origin (/api/attestations): {errors:[…]}', async () => {
        const unknown = await request(full.url).get('/api/attestations/nothing-here');
        assert.equal(unknown.status, 404);
        assert.deepEqual(unknown.body, { errors: ['No route serves this path.'] });
        const other = await request(full.url).get('/api/attestations/phone/verify');
        assert.equal(other.status, 405);
        assert.equal(other.headers['allow'], 'POST, OPTIONS');
        assert.deepEqual(other.body, { errors: ['This path does not serve that method.'] });
        const options = await request(full.url).options('/api/attestations/phone/verify');
        assert.equal(options.status, 204);
        assert.equal(options.headers['allow'], 'POST, OPTIONS');
      });

      it('Finenex (/v2): the Spring-style body with the path', async () => {
        const unknown = await request(full.url).get('/v2/did/nothing');
        assert.equal(unknown.status, 404);
        assert.deepEqual(unknown.body, { status: 404, error: 'Not Found', code: 'NOT_FOUND', message: 'No route serves this path.', path: '/v2/did/nothing' });
        const other = await request(full.url).get('/v2/auth/auth-user');
        assert.equal(other.status, 405);
        assert.equal(other.headers['allow'], 'POST, OPTIONS');
        assert.deepEqual(other.body, { status: 405, error: 'Method Not Allowed', code: 'METHOD_NOT_ALLOWED', message: 'This path does not serve that method.', path: '/v2/auth/auth-user' });
        // a root path of the kit (no base path) answers its other methods too
        const health = await request(full.url).post('/healthz');
        assert.equal(health.status, 405);
        assert.equal(health.headers['allow'], 'GET, HEAD, OPTIONS');
        assert.equal(health.body.code, 'METHOD_NOT_ALLOWED');
      });

      it('OAuth (/oidc): {error, error_description}', async () => {
        const unknown = await request(full.url).get('/oidc/nothing');
        assert.equal(unknown.status, 404);
        assert.deepEqual(unknown.body, { error: 'not_found', error_description: 'No route serves this path.' });
        const other = await request(full.url).get('/oidc/token');
        assert.equal(other.status, 405);
        assert.equal(other.headers['allow'], 'POST, OPTIONS');
        assert.deepEqual(other.body, { error: 'method_not_allowed', error_description: 'This path does not serve that method.' });
        // the protocol passthrough still serves its documents
        const discovery = await request(full.url).get('/oidc/.well-known/openid-configuration');
        assert.equal(discovery.status, 200);
        assert.equal(discovery.body.issuer, `${full.url}/oidc`);
      });

      it('a body sent to a route that takes none is read and dropped (the long answer goes out whole), or 413 past the body limit', async () => {
        const whole = await request(full.url).get('/openapi.json');
        const withBody = await request(full.url)
          .get('/openapi.json')
          .set('content-type', 'application/json')
          .send(`"${'a'.repeat(50_000)}"`);
        assert.equal(withBody.status, 200);
        assert.equal(withBody.text.length, whole.text.length);
        const huge = await request(full.url)
          .get('/openapi.json')
          .set('content-type', 'application/json')
          .send(`"${'a'.repeat(full.kit.config.bodyLimitBytes + 1)}"`);
        assert.equal(huge.status, 413);
        assert.equal(huge.body.code, 'PAYLOAD_TOO_LARGE');
      });

      it('a path under no kit base path goes on to the host', async () => {
        const outside = await request(full.url).get('/not-the-kit');
        assert.equal(outside.status, 404);
        assert.equal(outside.text, 'Not Found');
      });
    });
  }
});

describe('routes-a: core enforces the declaration', () => {
  let kit: Kit;
  let app: Koa;
  let seen: { matchedRoute?: unknown; routeName?: unknown }[];
  before(async () => {
    kit = await createKit({ database: 'sqlite::memory:', logger: quiet, config, plugins: [auth(), probe([whoAmI, maybe, limitedByBody])] });
    seen = [];
    app = new Koa();
    app.silent = true;
    // a host's access log, after the kit: what it can read of the route that served the request
    app.use(async (ctx, next) => {
      await next();
      seen.push({ matchedRoute: (ctx as Koa.Context & { _matchedRoute?: unknown })._matchedRoute, routeName: (ctx.state as { w3kit?: { routeName?: string } }).w3kit?.routeName });
    });
    app.use(kit.middleware());
  });
  after(() => kit.close());

  it('auth required: 401 UNAUTHENTICATED without a token, INVALID_TOKEN with a bad one, the principal with a good one', async () => {
    const none = await request(app.callback()).get('/rest/v1/who-am-i');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    const bad = await request(app.callback()).get('/rest/v1/who-am-i').set('authorization', 'Bearer not-a-token');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'INVALID_TOKEN');
    const user = await createEndUser(kit);
    const good = await request(app.callback()).get('/rest/v1/who-am-i').set('authorization', `Bearer ${user.token}`);
    assert.equal(good.status, 200);
    assert.deepEqual(good.body.result, { accountId: user.account.id });
  });

  it('auth optional: an anonymous request gets null, a bad token is still a 401', async () => {
    const anonymous = await request(app.callback()).get('/rest/v1/maybe');
    assert.deepEqual(anonymous.body.result, { accountId: null });
    const bad = await request(app.callback()).get('/rest/v1/maybe').set('authorization', 'Bearer nope');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'INVALID_TOKEN');
  });

  it('a rate limit keyed on a body field: the third hit for one value is a 429 with retry-after, another value is counted apart', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await request(app.callback()).post('/rest/v1/limited').send({ target: 'a' })).status, 200);
    const over = await request(app.callback()).post('/rest/v1/limited').send({ target: 'a' });
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(over.headers['retry-after']) > 0);
    assert.equal((await request(app.callback()).post('/rest/v1/limited').send({ target: 'b' })).status, 200);
  });

  it('sets ctx._matchedRoute and ctx.state.w3kit.routeName for the host', async () => {
    seen.length = 0;
    await request(app.callback()).get('/rest/v1/maybe');
    assert.deepEqual(seen.at(-1), { matchedRoute: '/rest/v1/maybe', routeName: 'probe.maybe' });
    await request(app.callback()).get('/rest/v1/unknown');
    assert.equal(seen.at(-1)?.routeName, undefined);
  });

  it('builds URLs by name from the table that mounts the routes', () => {
    assert.equal(kit.urls.path('probe.maybe'), '/rest/v1/maybe');
    assert.equal(kit.urls.to('kit.healthz'), 'https://id.example.com/healthz');
    assert.throws(() => kit.urls.path('probe.nope'), /no route is named "probe.nope"/);
  });
});

describe('routes-a: a declaration the composition cannot serve fails at startup', () => {
  const start = (plugins: KitPlugin[]) => createKit({ database: 'sqlite::memory:', logger: quiet, config, plugins });

  it('a route that needs auth, without an authenticator', async () => {
    await assert.rejects(start([probe([whoAmI])]), /route GET \/who-am-i of "probe" \(probe.who-am-i\) needs auth "required", and no authenticator is composed; add auth\(\) to plugins/);
  });

  it('a rate-limit rule no plugin declares, a principal key without required auth, an unknown error code, a taken name', async () => {
    const route = (extra: Partial<RouteSpec>) => ({ ...limitedByBody, ...extra }) as RouteSpec;
    await assert.rejects(start([auth(), probe([route({ rateLimit: [{ rule: 'probe.none', key: 'ip' }] })])]), /counts the rate limit "probe.none", which no composed plugin declares/);
    await assert.rejects(start([auth(), probe([route({ rateLimit: [{ rule: 'probe.tight', key: 'principal' }] })])]), /keys "probe.tight" on the principal but its auth is "none"/);
    await assert.rejects(start([auth(), probe([route({ errors: ['NO_SUCH_CODE'] })])]), /names the error code NO_SUCH_CODE, which no composed catalog defines/);
    await assert.rejects(start([auth(), nft(), probe([route({ name: 'nft.mint' })])]), /the route name "nft.mint" is taken by "nft"/);
  });
});
