import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import request from 'supertest';
import { appFor, probeKit } from './support.js';

// Issue 13, speed: the per-request path was restructured (one function per route, the request
// state a class, one router layer per served request); these pin what that must keep.
describe('core lean request path: state shape, one layer, 405 for any method', () => {
  let kit: Kit;
  before(async () => {
    kit = await probeKit();
  });
  after(() => kit.close());

  it("every request's state has one shape: its lazy parts are getters on a shared prototype, not accessors of its own", async () => {
    const states: Record<string, unknown>[] = [];
    const app = appFor(kit, async (ctx, next) => {
      await next();
      states.push((ctx.state as { w3kit: Record<string, unknown> }).w3kit);
    });
    const first = await request(app.callback()).get('/v2/state').set('x-request-id', 'req-one');
    const second = await request(app.callback()).get('/rest/v1/fail/missing');
    assert.equal(first.status, 200);
    assert.equal(second.status, 404);
    const [a, b] = states;
    assert.ok(a && b);
    assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(b));
    assert.notEqual(Object.getPrototypeOf(a), Object.prototype);
    for (const lazy of ['log', 'clientIp', 'scope']) assert.equal(Object.getOwnPropertyDescriptor(a, lazy), undefined, lazy);
    assert.equal(a['requestId'], 'req-one');
    assert.equal(b['requestId'], second.headers['x-request-id']);
    assert.equal(typeof a['clientIp'], 'string');
    assert.equal(a['routeName'], 'finenex.test.get_state');
  });

  it('a served request runs one router layer (its route), not the layer answering other methods, nor a catch-all', async () => {
    // kit.router, for a host to nest: the other methods' layer no longer matches a served method
    assert.deepEqual(
      kit.router.match('/healthz', 'GET').pathAndMethod.map((layer) => layer.path),
      ['/healthz'],
    );
    assert.deepEqual(
      kit.router.match('/rest/v1/echo', 'POST').pathAndMethod.map((layer) => layer.path),
      ['/rest/v1/echo', '/rest/v1{/*rest}'],
    );
    // kit.middleware(): 404, 405 and OPTIONS come from the router's not-found event, not layers (a served path matches its route only)
    const matched: string[][] = [];
    const app = appFor(kit, async (ctx, next) => {
      await next();
      matched.push(((ctx as { matched?: { path: string }[] }).matched ?? []).map((layer) => layer.path));
    });
    assert.equal((await request(app.callback()).get('/v2/state')).status, 200);
    assert.deepEqual(matched.at(-1), ['/v2/state']);
    const unknown = await request(app.callback()).get('/v2/no/such');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'NOT_FOUND');
    assert.equal(unknown.body.path, '/v2/no/such');
    assert.deepEqual(matched.at(-1), []);
  });

  it('any method no route serves on a path is a 405 with Allow in the group format; OPTIONS 204; HEAD served with GET', async () => {
    const app = appFor(kit);
    const propfind = await request(app.callback()).propfind('/v2/state');
    assert.equal(propfind.status, 405);
    assert.equal(propfind.headers['allow'], 'GET, HEAD, OPTIONS');
    assert.equal(propfind.body.code, 'METHOD_NOT_ALLOWED');
    assert.equal(propfind.body.path, '/v2/state');
    const patch = await request(app.callback()).patch('/rest/v1/echo').send({ name: 'x' });
    assert.equal(patch.status, 405);
    assert.equal(patch.headers['allow'], 'POST, OPTIONS');
    assert.deepEqual(patch.body, { status: 'error', result: null, error: { code: 'METHOD_NOT_ALLOWED', message: 'This path does not serve that method.' } });
    const trace = await request(app.callback()).trace('/api/attestations/state');
    assert.equal(trace.status, 405);
    assert.deepEqual(trace.body, { errors: ['This path does not serve that method.'] });
    const options = await request(app.callback()).options('/api/attestations/state');
    assert.equal(options.status, 204);
    assert.equal(options.headers['allow'], 'GET, HEAD, OPTIONS');
    const head = await request(app.callback()).head('/api/attestations/state');
    assert.equal(head.status, 200);
  });
});
