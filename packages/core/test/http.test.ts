import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import type Koa from 'koa';
import request from 'supertest';
import { appFor, memoryLog, probeKit, rawRequest } from './support.js';

const BASES = { web3connect: '/rest/v1', origin: '/api/attestations', finenex: '/v2' } as const;
type Format = keyof typeof BASES;

/** What each wire format's error body looks like, so one table of cases covers all three. */
function expectError(format: Format, body: Record<string, unknown>, code: string, lines: string[]): void {
  if (format === 'web3connect') {
    assert.equal(body['status'], 'error');
    assert.equal(body['result'], null);
    const error = body['error'] as Record<string, unknown>;
    assert.equal(error['code'], code);
    if (lines.length > 1 || String(lines[0]).includes(': ')) assert.deepEqual(error['issues'], lines);
    else assert.equal(error['message'], lines[0]);
  } else if (format === 'origin') {
    assert.deepEqual(Object.keys(body), ['errors']);
    assert.deepEqual(body['errors'], lines);
  } else {
    assert.equal(body['code'], code);
    assert.equal(typeof body['status'], 'number');
    assert.equal(typeof body['error'], 'string');
    assert.equal(typeof body['path'], 'string');
    if (lines.length > 1 || String(lines[0]).includes(': ')) assert.deepEqual(body['issues'], lines);
    else assert.equal(body['message'], lines[0]);
  }
}

describe('core HTTP: wire formats, validation, bodies', () => {
  let kit: Kit;
  let app: Koa;
  const log = memoryLog();
  const emitted: unknown[] = [];

  before(async () => {
    kit = await probeKit({ logger: log.logger });
    app = appFor(kit);
    app.on('error', (error) => emitted.push(error));
  });
  after(() => kit.close());

  for (const format of Object.keys(BASES) as Format[]) {
    const base = BASES[format];
    describe(`${format} format`, () => {
      it('wraps success the way the Web3Connect document documents it', async () => {
        const res = await request(app.callback()).post(`${base}/echo`).send({ name: 'Ada', count: 2 });
        assert.equal(res.status, 200);
        assert.match(String(res.headers['content-type']), /application\/json/);
        if (format === 'web3connect') assert.deepEqual(res.body, { status: 'ok', result: { name: 'Ada', count: 2 }, error: null });
        else assert.deepEqual(res.body, { name: 'Ada', count: 2 });
      });

      it('400 with one line per invalid field, named by path', async () => {
        const res = await request(app.callback()).post(`${base}/echo`).send({ name: 5, count: 'x' });
        assert.equal(res.status, 400);
        expectError(format, res.body, 'VALIDATION_FAILED', ['name: not a valid string.', 'count: not a valid integer.']);
      });

      it('400 for a missing required field and a missing body', async () => {
        const missing = await request(app.callback()).post(`${base}/echo`).send({});
        assert.equal(missing.status, 400);
        expectError(format, missing.body, 'VALIDATION_FAILED', ['name: is required.']);
        const empty = await request(app.callback()).post(`${base}/echo`);
        assert.equal(empty.status, 400);
        expectError(format, empty.body, 'VALIDATION_FAILED', ['body: is required.']);
      });

      it('400 for a body of the wrong JSON type and for string limits', async () => {
        const array = await request(app.callback()).post(`${base}/echo`).send([1, 2]);
        assert.equal(array.status, 400);
        expectError(format, array.body, 'VALIDATION_FAILED', ['body: not a valid object.']);
        const long = await request(app.callback())
          .post(`${base}/echo`)
          .send({ name: 'x'.repeat(21) });
        expectError(format, long.body, 'VALIDATION_FAILED', ['name: must be at most 20 characters.']);
      });

      it('400 INVALID_JSON for malformed JSON', async () => {
        const res = await request(app.callback()).post(`${base}/echo`).set('content-type', 'application/json').send('{"name": "Ada",');
        assert.equal(res.status, 400);
        expectError(format, res.body, 'INVALID_JSON', ['The request body is not valid JSON (it ends too early at line 1, column 16, position 15).']);
      });

      it('400 INVALID_ENCODING for a body that is not UTF-8', async () => {
        // {"name":"<0xff 0xfe>"}, sent as raw bytes (supertest would re-encode a Buffer as JSON)
        const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
        const res = await rawRequest(app, 'POST', `${base}/echo`, { 'content-type': 'application/json' }, bytes);
        assert.equal(res.status, 400);
        expectError(format, res.body, 'INVALID_ENCODING', ['The request body is not valid UTF-8.']);
      });

      it('415 for a body that is not JSON', async () => {
        const res = await request(app.callback()).post(`${base}/echo`).set('content-type', 'text/plain').send('name=Ada');
        assert.equal(res.status, 415);
        expectError(format, res.body, 'UNSUPPORTED_MEDIA_TYPE', ['The request body must be application/json.']);
      });

      it('413 for a body over the limit', async () => {
        const res = await request(app.callback())
          .post(`${base}/echo`)
          .send({ name: 'x', pad: 'y'.repeat(200_000) });
        assert.equal(res.status, 413);
        expectError(format, res.body, 'PAYLOAD_TOO_LARGE', ['The request body is too large.']);
      });

      it('400, not a crash, for deeply nested JSON', async () => {
        const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
        const res = await request(app.callback())
          .post(`${base}/echo`)
          .set('content-type', 'application/json')
          .send(`{"name":"a","x":${deep.slice(0, 90_000)}`);
        assert.equal(res.status, 400);
        expectError(format, res.body, 'INVALID_JSON', ['The request body is not valid JSON (it ends too early at line 1, column 90017, position 90016).']);
      });

      it('400 JSON_TOO_DEEP for valid JSON nested deeper than 64 levels (thousands overflowed the stack: a 500)', async () => {
        const nested = (depth: number) => `{"name":"a","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
        const deep = await request(app.callback()).post(`${base}/echo`).set('content-type', 'application/json').send(nested(40_000));
        assert.equal(deep.status, 400);
        expectError(format, deep.body, 'JSON_TOO_DEEP', ['The request body nests arrays and objects too deeply.']);
        assert.equal((await request(app.callback()).post(`${base}/echo`).set('content-type', 'application/json').send(nested(64))).status, 400);
        assert.equal((await request(app.callback()).post(`${base}/echo`).set('content-type', 'application/json').send(nested(63))).status, 200);
      });

      it('coerces and validates path params and query strings', async () => {
        const ok = await request(app.callback()).get(`${base}/things/7?pageNum=3&order=desc`);
        assert.equal(ok.status, 200);
        const result = format === 'web3connect' ? ok.body.result : ok.body;
        assert.deepEqual(result, { id: 7, pageNum: 3, order: 'desc' });
        const defaults = await request(app.callback()).get(`${base}/things/7`);
        assert.deepEqual(format === 'web3connect' ? defaults.body.result : defaults.body, { id: 7, pageNum: 1, order: 'asc' });
        const bad = await request(app.callback()).get(`${base}/things/abc?pageNum=0&order=up`);
        assert.equal(bad.status, 400);
        expectError(format, bad.body, 'VALIDATION_FAILED', ['params.id: not a valid integer.', 'query.pageNum: must be at least 1.', 'query.order: must be one of "asc", "desc".']);
      });

      it('422 for a processing failure, 404 for an unknown thing', async () => {
        const processing = await request(app.callback()).post(`${base}/fail/processing`);
        assert.equal(processing.status, 422);
        expectError(format, processing.body, 'WRONG_CODE', ['The code is wrong.']);
        const missing = await request(app.callback()).get(`${base}/fail/missing`);
        assert.equal(missing.status, 404);
        expectError(format, missing.body, 'NO_SUCH_THING', ['No such thing.']);
      });

      it("renders Koa's ctx.throw errors in the route's format", async () => {
        const res = await request(app.callback()).get(`${base}/fail/koa-throw`);
        assert.equal(res.status, 403);
        expectError(format, res.body, 'HTTP_403', ['no entry']);
      });

      it('500 with a generic body for a bug, logged with the request id and re-emitted on the app', async () => {
        const before = emitted.length;
        const res = await request(app.callback()).get(`${base}/fail/bug`).set('x-request-id', `bug-${format}`);
        assert.equal(res.status, 500);
        expectError(format, res.body, 'INTERNAL_ERROR', ['Internal server error.']);
        assert.doesNotMatch(JSON.stringify(res.body), /secret internal detail|at /);
        assert.equal(emitted.length, before + 1);
        assert.equal((emitted.at(-1) as Error).message, 'secret internal detail');
        const line = log.lines.find((l) => l['reqId'] === `bug-${format}` && l['msg'] === 'unexpected error');
        assert.ok(line, 'the error is logged with its request id');
        assert.equal((line['err'] as { message: string }).message, 'secret internal detail');
      });
    });
  }

  for (const format of Object.keys(BASES) as Format[]) {
    it(`a deadlock a store did not retry is 503 with retry-after, not a 500 (${format})`, async () => {
      const res = await request(app.callback()).get(`${BASES[format]}/fail/deadlock`);
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '1');
      expectError(format, res.body, 'SERVICE_UNAVAILABLE', ['The service is temporarily unavailable.']);
      assert.doesNotMatch(JSON.stringify(res.body), /Deadlock/);
    });
  }

  it('429 with retry-after once a rate limit is exceeded', async () => {
    const agent = request(app.callback());
    assert.equal((await agent.get('/v2/fail/limited')).status, 200);
    assert.equal((await agent.get('/v2/fail/limited')).status, 200);
    const limited = await agent.get('/api/attestations/fail/limited');
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.body, { errors: ['Too many requests; try again later.'] });
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const enveloped = await agent.get('/rest/v1/fail/limited');
    assert.equal(enveloped.status, 429);
    assert.equal(enveloped.body.error.code, 'RATE_LIMITED');
    assert.ok(enveloped.body.error.retry_after_seconds >= 1);
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const given = await request(app.callback()).get('/healthz').set('x-request-id', 'req-123.abc');
    assert.equal(given.headers['x-request-id'], 'req-123.abc');
    const bad = await request(app.callback()).get('/healthz').set('x-request-id', 'has spaces and <html>');
    assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const none = await request(app.callback()).get('/v2/state');
    assert.equal(none.body.requestId, none.headers['x-request-id']);
    // the header's name in any case; sent twice, neither is kept (Node would join them)
    const upper = await request(app.callback()).get('/v2/state').set('X-Request-ID', 'req-upper');
    assert.equal(upper.body.requestId, 'req-upper');
    // superagent sends an array as repeated header lines (Node's setHeader); its types admit one for Cookie only
    const twice = await request(app.callback())
      .get('/v2/state')
      .set('x-request-id', ['req-one', 'req-two'] as unknown as string);
    assert.match(String(twice.body.requestId), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(twice.headers['x-request-id'], twice.body.requestId);
  });

  it('writes one access line per request, with sensitive query values redacted', async () => {
    await request(app.callback()).get('/v2/things/1?c=SECRETCODE&pageNum=2').set('x-request-id', 'access-1');
    const lines = log.lines.filter((l) => l['reqId'] === 'access-1');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!['url'], '/v2/things/1?c=%5BREDACTED%5D&pageNum=2');
    assert.equal(lines[0]!['status'], 200);
    assert.doesNotMatch(JSON.stringify(log.lines), /SECRETCODE/);
  });

  it('passes requests outside its base paths on to the host', async () => {
    const res = await request(app.callback()).get('/not-a-kit-path');
    assert.equal(res.status, 404);
    assert.equal(res.text, 'Not Found'); // Koa's own 404, not the kit's envelope
  });

  it('serves /healthz, /readyz, /openapi.json and /docs', async () => {
    assert.deepEqual((await request(app.callback()).get('/healthz')).body, { status: 'ok' });
    assert.deepEqual((await request(app.callback()).get('/readyz')).body, { status: 'ready', database: 'up' });
    const doc = (await request(app.callback()).get('/openapi.json')).body;
    assert.equal(doc.openapi, '3.1.0');
    const echo = doc.paths['/rest/v1/echo'].post;
    assert.deepEqual(echo.requestBody.content['application/json'].schema.required, ['name']);
    assert.equal(echo.responses['200'].content['application/json'].schema.properties.status.const, 'ok');
    assert.deepEqual(
      doc.paths['/v2/things/{id}'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`),
      ['path:id', 'query:pageNum', 'query:order'],
    );
    assert.equal(doc.paths['/api/attestations/echo'].post.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/originError');
    const docs = await request(app.callback()).get('/docs');
    assert.equal(docs.status, 200);
    assert.match(String(docs.headers['content-type']), /text\/html/);
    // the reference renders in the browser from the document (Swagger UI): the page names it
    assert.match(docs.text, /<div id="swagger-ui" data-openapi="\/openapi\.json"><\/div>/);
  });
});

describe('core HTTP: living inside a host app', () => {
  it("accepts a body the host already parsed and leaves the host's ctx.state alone", async () => {
    const kit = await probeKit();
    try {
      const app = appFor(kit, async (ctx, next) => {
        ctx.state['host'] = 'mine';
        if (ctx.path.endsWith('/echo')) (ctx.request as { body?: unknown }).body = { name: 'parsed-by-host' };
        await next();
      });
      // the raw stream is not JSON at all; the host's parsed body wins
      const echo = await request(app.callback()).post('/v2/echo').set('content-type', 'text/plain').send('ignored');
      assert.equal(echo.status, 200);
      assert.deepEqual(echo.body, { name: 'parsed-by-host' });
      const state = await request(app.callback()).get('/v2/state');
      assert.equal(state.body.hostState, 'mine');
    } finally {
      await kit.close();
    }
  });

  it('refuses a body the host parsed that nests too deeply, as one it reads itself', async () => {
    const kit = await probeKit();
    try {
      let deep: unknown = 1;
      for (let i = 0; i < 20_000; i++) deep = [deep];
      const app = appFor(kit, async (ctx, next) => {
        (ctx.request as { body?: unknown }).body = { name: 'a', deep };
        await next();
      });
      const res = await request(app.callback()).post('/rest/v1/echo');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'JSON_TOO_DEEP');
    } finally {
      await kit.close();
    }
  });

  it('mounts every route under a prefix and moves a base path on request', async () => {
    const kit = await probeKit({ config: { masterKey: (await import('./support.js')).MASTER_KEY, mountPath: '/identity', basePaths: { finenex: '/finenex/v2' } } });
    try {
      const app = appFor(kit);
      assert.equal((await request(app.callback()).get('/identity/healthz')).status, 200);
      assert.equal((await request(app.callback()).post('/identity/rest/v1/echo').send({ name: 'a' })).status, 200);
      assert.equal((await request(app.callback()).post('/identity/finenex/v2/echo').send({ name: 'a' })).status, 200);
      assert.equal((await request(app.callback()).get('/healthz')).status, 404);
      assert.ok(kit.routes.includes('POST /identity/finenex/v2/echo'));
    } finally {
      await kit.close();
    }
  });

  it("matches a trailing slash and HEAD; a malformed %-escape in a param is the route's 400, not the host's 404", async () => {
    const kit = await probeKit();
    try {
      const app = appFor(kit);
      assert.equal((await request(app.callback()).get('/v2/things/5/')).body.id, 5);
      assert.equal((await request(app.callback()).get('/v2/things/%35')).body.id, 5);
      const head = await request(app.callback()).head('/v2/things/5');
      assert.equal(head.status, 200);
      const malformed = await request(app.callback()).get('/v2/things/%E0%A4%A');
      assert.equal(malformed.status, 400);
      expectError('finenex', malformed.body, 'VALIDATION_FAILED', ['params.id: is not valid percent-encoding.']);
      const other = await request(app.callback()).delete('/v2/things/5');
      assert.equal(other.status, 405, 'another method is not this route');
      assert.equal(other.headers['allow'], 'GET, HEAD, OPTIONS');
    } finally {
      await kit.close();
    }
  });

  it('answers /readyz 503 when the database is gone', async () => {
    const kit = await probeKit();
    const app = appFor(kit);
    await kit.services.database.destroy();
    const res = await request(app.callback()).get('/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { status: 'unavailable', database: 'down' });
  });
});
