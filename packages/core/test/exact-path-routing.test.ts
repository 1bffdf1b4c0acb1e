import assert from 'node:assert/strict';
import { createKit, defineRoute, type Kit, type KitPlugin } from '@w3kit/core';
import Koa from 'koa';
import request from 'supertest';
import { MASTER_KEY } from './support.js';

// Issue 13, speed: kit.middleware() sends a request for a path some route serves without params
// to a Router of only the layers that can match that path. These pin that it answers exactly
// as the Router of the whole base path did.
const routesPlugin: KitPlugin = {
  name: 'exact-paths',
  routes: [
    {
      api: 'web3connect',
      basePath: '/api',
      format: 'web3connect',
      routes: [
        defineRoute({ name: 'exact.latest', method: 'GET', path: '/items/latest', summary: 'The latest item.', handler: () => ({ item: 'latest' }) }),
        defineRoute({ name: 'exact.get_item', method: 'GET', path: '/items/:id', summary: 'An item.', handler: ({ ctx }) => ({ item: `id ${String(ctx.params['id'])}` }) }),
        defineRoute({ name: 'exact.post_item', method: 'POST', path: '/items/:id', summary: 'Touches an item.', handler: ({ ctx }) => ({ touched: ctx.params['id'] }) }),
      ],
    },
    {
      api: 'finenex',
      basePath: '',
      format: 'finenex',
      routes: [
        defineRoute({ name: 'exact.ping', method: 'GET', path: '/ping', summary: 'Pong.', handler: () => ({ pong: true }) }),
        // under /api, whose Router answers every path below it: never served, as before
        defineRoute({ name: 'exact.shadowed', method: 'GET', path: '/api/shadowed', summary: 'Shadowed by /api.', handler: () => ({ shadowed: false }) }),
      ],
    },
  ],
};

describe('core exact-path routing: a static path meets only its layers, with the answers of its base path', () => {
  let kit: Kit;
  let mounted: Kit;
  const matched: string[][] = [];
  let app: Koa;
  let mountedApp: Koa;

  before(async () => {
    kit = await createKit({ database: 'sqlite::memory:', plugins: [routesPlugin], config: { masterKey: MASTER_KEY, mode: 'test' } });
    mounted = await createKit({ database: 'sqlite::memory:', plugins: [routesPlugin], config: { masterKey: MASTER_KEY, mode: 'test', mountPath: '/identity' } });
    app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      matched.push(((ctx as { matched?: { path: string }[] }).matched ?? []).map((layer) => layer.path));
    });
    app.use(kit.middleware());
    app.use((ctx) => {
      ctx.body = { host: ctx.path };
    });
    mountedApp = new Koa();
    mountedApp.use(mounted.middleware());
  });
  after(async () => {
    await kit.close();
    await mounted.close();
  });

  it('serves the static route, with the param routes that match its path in the order the router tries them', async () => {
    const latest = await request(app.callback()).get('/api/items/latest');
    assert.equal(latest.status, 200);
    assert.deepEqual(latest.body, { status: 'ok', result: { item: 'latest' }, error: null });
    assert.deepEqual(matched.at(-1), ['/api/items/latest', '/api/items/:id', '/api/items/:id']);
    const slash = await request(app.callback()).get('/api/items/latest/');
    assert.deepEqual(slash.body.result, { item: 'latest' });
    const other = await request(app.callback()).get('/api/items/7');
    assert.deepEqual(other.body.result, { item: 'id 7' });
  });

  it('a method only a param route serves on that path goes to the param route', async () => {
    const touched = await request(app.callback()).post('/api/items/latest');
    assert.equal(touched.status, 200);
    assert.deepEqual(touched.body.result, { touched: 'latest' });
  });

  it('any other method is a 405 whose Allow names the methods of every route matching the path', async () => {
    const removed = await request(app.callback()).delete('/api/items/latest');
    assert.equal(removed.status, 405);
    assert.equal(removed.headers['allow'], 'GET, HEAD, POST, OPTIONS');
    assert.deepEqual(removed.body, { status: 'error', result: null, error: { code: 'METHOD_NOT_ALLOWED', message: 'This path does not serve that method.' } });
    const options = await request(app.callback()).options('/api/items/latest/');
    assert.equal(options.status, 204);
    assert.equal(options.headers['allow'], 'GET, HEAD, POST, OPTIONS');
  });

  it('a static route under a longer base path stays shadowed: the 404 of that base path, in its format', async () => {
    const shadowed = await request(app.callback()).get('/api/shadowed');
    assert.equal(shadowed.status, 404);
    assert.deepEqual(shadowed.body, { status: 'error', result: null, error: { code: 'NOT_FOUND', message: 'No route serves this path.' } });
  });

  it('under the empty base path: the route is served, another method is a 405, an unknown path goes on to the host', async () => {
    assert.deepEqual((await request(app.callback()).get('/ping')).body, { pong: true });
    const posted = await request(app.callback()).post('/ping');
    assert.equal(posted.status, 405);
    assert.equal(posted.headers['allow'], 'GET, HEAD, OPTIONS');
    assert.equal(posted.body.code, 'METHOD_NOT_ALLOWED');
    assert.deepEqual((await request(app.callback()).get('/pong')).body, { host: '/pong' });
  });

  it('is case-sensitive and under the mount path, as the routers are', async () => {
    const upper = await request(app.callback()).get('/api/items/LATEST');
    assert.deepEqual(upper.body.result, { item: 'id LATEST' });
    assert.deepEqual((await request(mountedApp.callback()).get('/identity/api/items/latest')).body.result, { item: 'latest' });
    assert.equal((await request(mountedApp.callback()).delete('/identity/api/items/latest')).status, 405);
    assert.equal((await request(mountedApp.callback()).get('/api/items/latest')).status, 404);
  });
});
