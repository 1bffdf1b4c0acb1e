import assert from 'node:assert/strict';
import Router from '@koa/router';
import type { Kit } from '@w3kit/core';
import type { KitMount } from '@w3kit/core/testing';
import Koa from 'koa';
import request from 'supertest';
import { accountsSuite } from '../packages/auth/test/accounts.suite.js';
import { associationSuite } from '../packages/auth/test/association.suite.js';
import { verificationSuite } from '../packages/auth/test/verification.suite.js';
import { authKit } from '../packages/auth/test/support.js';
import { nftSuite } from '../packages/nft/test/nft.suite.js';
import { qrVerificationSuite } from '../packages/nft/test/verification.suite.js';

const PREFIX = '/identity';

/**
 * A host that routes with its own @koa/router Router and nests the kit's router in it under a
 * prefix (the kit's `config.mountPath`), with its own routes beside it and `allowedMethods()`
 * of its own: the third mount point, beside the root and the mount example's `app.use`.
 */
export const nestedRouterMount: KitMount = {
  name: `nested in a host's @koa/router Router under ${PREFIX}`,
  mountPath: PREFIX,
  app(kit: Kit) {
    const app = new Koa();
    app.silent = true;
    const host = new Router();
    host.get('/hello', (ctx) => {
      ctx.body = { host: 'hello' };
    });
    host.use(PREFIX, kit.router.routes(), kit.router.allowedMethods());
    app.use(host.routes());
    app.use(host.allowedMethods());
    return app;
  },
};

// The auth and nft HTTP suites, unchanged, with every request travelling through the host's router.
describe(`routes-a: auth and nft HTTP suites, ${nestedRouterMount.name}`, () => {
  accountsSuite(nestedRouterMount);
  associationSuite(nestedRouterMount);
  verificationSuite(nestedRouterMount);
  nftSuite(nestedRouterMount);
  qrVerificationSuite(nestedRouterMount);
});

describe('routes-a: the nested router beside the host routes', () => {
  let kit: Kit;
  let app: Koa;
  before(async () => {
    kit = await authKit('sqlite::memory:', {}, { config: { mountPath: PREFIX } });
    app = nestedRouterMount.app(kit);
  });
  after(() => kit.close());

  it('serves the host route and the kit routes side by side', async () => {
    assert.deepEqual((await request(app.callback()).get('/hello')).body, { host: 'hello' });
    const health = await request(app.callback()).get(`${PREFIX}/healthz`);
    assert.deepEqual(health.body, { status: 'ok' });
    assert.equal(health.headers['x-content-type-options'], 'nosniff');
  });

  it('answers unknown paths and other methods under a kit base path in the kit group’s wire format, even nested', async () => {
    const unknown = await request(app.callback()).get(`${PREFIX}/rest/v1/no-such-route`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { status: 'error', result: null, error: { code: 'NOT_FOUND', message: 'No route serves this path.' } });
    const other = await request(app.callback()).delete(`${PREFIX}/rest/v1/account/my_info`);
    assert.equal(other.status, 405);
    assert.equal(other.headers['allow'], 'GET, HEAD, OPTIONS');
    assert.equal(other.body.error.code, 'METHOD_NOT_ALLOWED');
  });

  it('leaves the host’s own paths and its allowedMethods to the host', async () => {
    const outside = await request(app.callback()).get('/elsewhere');
    assert.equal(outside.status, 404);
    assert.equal(outside.text, 'Not Found');
    const hostOther = await request(app.callback()).post('/hello');
    assert.equal(hostOther.status, 405); // the host's allowedMethods, in its own (plain) format
    assert.match(String(hostOther.headers['allow']), /GET/);
  });
});
