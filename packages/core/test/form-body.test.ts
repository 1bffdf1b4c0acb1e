import assert from 'node:assert/strict';
import { defineRoute, readFormBody, type Kit } from '@w3kit/core';
import type Koa from 'koa';
import request from 'supertest';
import { appFor, probeKit, rawRequest } from './support.js';

/** A page route that echoes the form it read, as JSON. */
const formPlugin = {
  name: 'form',
  routes: [
    {
      api: 'form',
      basePath: '/form',
      format: 'finenex' as const,
      routes: [
        defineRoute({
          name: 'test.post_echo',
          method: 'POST',
          path: '/echo',
          summary: 'Echoes a form post.',
          raw: true,
          async handler({ ctx }) {
            const fields = await readFormBody(ctx, 64);
            ctx.body = { fields: { ...fields }, prototype: Object.getPrototypeOf(fields) === null };
          },
        }),
      ],
    },
  ],
};

describe('core HTTP: readFormBody', () => {
  let kit: Kit;
  let app: Koa;
  before(async () => {
    kit = await probeKit({ plugins: [formPlugin] });
    app = appFor(kit);
  });
  after(() => kit.close());

  it('reads url-encoded fields, the first value of a repeated one, in an object without a prototype', async () => {
    const res = await request(app.callback()).post('/form/echo').type('form').send('a=1&b=x+y%26z&a=2&__proto__=p&constructor=c');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { fields: { a: '1', b: 'x y&z', ['__proto__']: 'p', constructor: 'c' }, prototype: true });
  });

  it('an empty post is an empty form', async () => {
    const res = await request(app.callback()).post('/form/echo');
    assert.deepEqual(res.body, { fields: {}, prototype: true });
  });

  it('uses the string values of a body the host already parsed', async () => {
    const hostApp = appFor(kit, async (ctx, next) => {
      (ctx.request as { body?: unknown }).body = { a: 'host', list: ['first', 'second'], n: 5 };
      await next();
    });
    const res = await request(hostApp.callback()).post('/form/echo').type('form').send('a=raw');
    assert.deepEqual(res.body, { fields: { a: 'host', list: 'first' }, prototype: true });
  });

  it('415 for another content type, 413 over the limit, 400 for invalid UTF-8', async () => {
    const json = await request(app.callback()).post('/form/echo').send({ a: 1 });
    assert.equal(json.status, 415);
    assert.equal(json.body.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(json.body.message, 'The request body must be application/x-www-form-urlencoded.');
    const large = await request(app.callback())
      .post('/form/echo')
      .type('form')
      .send(`a=${'x'.repeat(100)}`);
    assert.equal(large.status, 413);
    assert.equal(large.body.code, 'PAYLOAD_TOO_LARGE');
    const bytes = Buffer.concat([Buffer.from('a='), Buffer.from([0xff, 0xfe])]);
    const invalid = await rawRequest(app, 'POST', '/form/echo', { 'content-type': 'application/x-www-form-urlencoded' }, bytes);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body['code'], 'INVALID_ENCODING');
  });
});
