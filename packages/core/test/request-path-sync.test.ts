import assert from 'node:assert/strict';
import Router from '@koa/router';
import { defineRoute, type Kit, type KitPlugin } from '@w3kit/core';
import Koa from 'koa';
import request from 'supertest';
import { probeKit, probePlugin } from './support.js';

// Issue 13, speed (hz3): a route with nothing to wait for runs without a promise, and
// kit.middleware()'s routers answer 405/OPTIONS from the not-found event instead of layers.
const thenables: KitPlugin = {
  name: 'thenables',
  routes: [
    {
      api: 'thenables',
      basePath: '/t',
      format: 'web3connect',
      routes: [
        defineRoute({
          name: 'thenables.custom',
          method: 'GET',
          path: '/custom',
          summary: 'Answers with a thenable that is not a Promise.',
          handler: () => ({ then: (resolve: (value: unknown) => void) => setTimeout(() => resolve({ late: true }), 5) }),
        }),
        defineRoute({
          name: 'thenables.rejects',
          method: 'GET',
          path: '/rejects',
          summary: 'Answers with a thenable that rejects with a bug.',
          handler: () => ({ then: (_: unknown, reject: (error: unknown) => void) => reject(new Error('hidden detail')) }),
        }),
      ],
    },
  ],
};

describe('core request path without promises (hz3): thenables, and a host router before the kit', () => {
  let kit: Kit;
  before(async () => {
    kit = await probeKit({ plugins: [probePlugin(), thenables] });
  });
  after(() => kit.close());

  it('a handler answering with a thenable of its own is waited for; its rejection is a 500 in the group format, the detail hidden', async () => {
    const app = new Koa();
    app.silent = true;
    app.use(kit.middleware());
    const late = await request(app.callback()).get('/t/custom');
    assert.equal(late.status, 200);
    assert.deepEqual(late.body, { status: 'ok', result: { late: true }, error: null });
    assert.match(String(late.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const rejected = await request(app.callback()).get('/t/rejects');
    assert.equal(rejected.status, 500);
    assert.deepEqual(rejected.body, { status: 'error', result: null, error: { code: 'INTERNAL_ERROR', message: 'Internal server error.' } });
    assert.equal(rejected.headers['cache-control'], 'no-store');
  });

  it("a path a host's router before the kit matched with another method, and no kit route serves, goes on to the host", async () => {
    const host = new Router();
    host.get('/host-only', (ctx) => {
      ctx.body = { host: 'get' };
    });
    const app = new Koa();
    app.use(host.routes());
    app.use(kit.middleware());
    app.use((ctx) => {
      ctx.body = { host: 'after the kit' };
    });
    const post = await request(app.callback()).post('/host-only');
    assert.equal(post.status, 200);
    assert.deepEqual(post.body, { host: 'after the kit' });
    assert.equal(post.headers['x-request-id'], undefined, 'the kit did not open the request');
    // a kit path with another method is still the kit's 405, in its group's format, with the methods of the kit's routes only
    const healthz = await request(app.callback()).post('/healthz');
    assert.equal(healthz.status, 405);
    assert.equal(healthz.headers['allow'], 'GET, HEAD, OPTIONS');
    assert.equal(healthz.body.code, 'METHOD_NOT_ALLOWED');
    const options = await request(app.callback()).options('/healthz');
    assert.equal(options.status, 204);
    assert.equal(options.headers['allow'], 'GET, HEAD, OPTIONS');
  });
});
