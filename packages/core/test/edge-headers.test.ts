import assert from 'node:assert/strict';
import { createLogger, defineRoute, type Kit, type KitPlugin } from '@w3kit/core';
import request from 'supertest';
import { appFor, probeKit, probePlugin } from './support.js';

/** An HTML page route, naming a CSP of its own or none. */
const htmlPage = (path: string, csp?: string) =>
  defineRoute({
    name: `test.page${path.replace(/[^a-z0-9]+/gi, '_')}`,
    method: 'GET',
    path,
    summary: 'An HTML page.',
    raw: true,
    handler: ({ ctx }) => {
      if (csp) ctx.set('content-security-policy', csp);
      ctx.type = 'html';
      ctx.body = '<!doctype html><p>hi</p>';
    },
  });

/** Pages and documents as plugins serve them: HTML with and without a policy of its own, a public cacheable document. */
const pages: KitPlugin = {
  name: 'pages',
  routes: [
    {
      api: 'pages',
      basePath: '/pages',
      format: 'finenex',
      routes: [
        htmlPage('/bare'),
        htmlPage('/own-policy', "default-src 'none'; img-src data:; frame-ancestors 'none'"),
        defineRoute({
          name: 'test.get_public',
          method: 'GET',
          path: '/public',
          summary: 'A public document that may be cached.',
          handler: ({ ctx }) => {
            ctx.set('cache-control', 'public, max-age=300');
            return { keys: [] };
          },
        }),
      ],
    },
  ],
};

const BASES = { web3connect: '/rest/v1', origin: '/api/attestations', finenex: '/v2' };

describe('core edge headers: nosniff, no-store, framing, HSTS', () => {
  let kit: Kit;
  before(async () => {
    kit = await probeKit({ plugins: [probePlugin(), pages], logger: createLogger({ level: 'silent' }) });
  });
  after(() => kit.close());

  for (const [format, base] of Object.entries(BASES)) {
    it(`${format}: success, validation error, processing error and bug all carry nosniff and no-store`, async () => {
      const http = request(appFor(kit).callback());
      const answers = [
        await http.post(`${base}/echo`).send({ name: 'x' }),
        await http.post(`${base}/echo`).send({ name: 7 }),
        await http.post(`${base}/fail/processing`).send({}),
        await http.get(`${base}/fail/bug`),
      ];
      assert.deepEqual(
        answers.map((r) => r.status),
        [200, 400, 422, 500],
      );
      for (const res of answers) {
        assert.equal(res.headers['x-content-type-options'], 'nosniff', `${res.status}`);
        assert.equal(res.headers['cache-control'], 'no-store', `${res.status}`);
        assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS outside production');
        assert.equal(res.headers['x-frame-options'], undefined, 'JSON is not a page');
      }
    });
  }

  it('the kit routes (/healthz, /openapi.json, /docs) too; /docs gets a CSP admitting only the kit’s own script, style and API, and no framing', async () => {
    const http = request(appFor(kit).callback());
    for (const path of ['/healthz', '/openapi.json', '/docs']) {
      const res = await http.get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(res.headers['cache-control'], 'no-store', path);
    }
    const docs = await http.get('/docs');
    assert.equal(
      docs.headers['content-security-policy'],
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    assert.equal(docs.headers['x-frame-options'], 'DENY');
    // nothing inline for the policy to admit: every script and stylesheet is a file the kit serves
    assert.doesNotMatch(docs.text, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(docs.text, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
    const assets = [...docs.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(assets, ['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/docs-init.js']);
    for (const asset of assets) {
      const res = await http.get(asset);
      assert.equal(res.status, 200, asset);
      assert.match(String(res.headers['content-type']), asset.endsWith('.js') ? /^application\/javascript/ : /^text\/css/, asset);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', asset);
      assert.equal(res.headers['cache-control'], 'public, max-age=3600', `${asset}: static, the same bytes for the process's life`);
      const again = await http.get(asset).set('if-none-match', String(res.headers['etag']));
      assert.equal(again.status, 304, `${asset}: revalidated by its etag`);
      assert.equal(again.text, '', asset);
      const changed = await http.get(asset).set('if-none-match', '"another"');
      assert.equal(changed.status, 200, asset);
    }
  });

  it('/docs/assets serves its three files only: another name is 400 VALIDATION_FAILED naming the allowed files, never a file from disk', async () => {
    const http = request(appFor(kit).callback());
    for (const path of ['/docs/assets/package.json', '/docs/assets/..%2Fpackage.json', '/docs/assets/swagger-ui.js']) {
      const res = await http.get(path);
      assert.equal(res.status, 400, path);
      assert.equal(res.body.code, 'VALIDATION_FAILED', `${path}: ${res.text.slice(0, 200)}`);
      assert.deepEqual(res.body.issues, [`params.file: must be one of "swagger-ui-bundle.js", "swagger-ui.css", "docs-init.js".`], path);
      assert.doesNotMatch(res.text, /"name": ?"swagger-ui-dist"/);
    }
  });

  it('an HTML page without a policy gets the strictest CSP and X-Frame-Options; one with its own keeps it', async () => {
    const http = request(appFor(kit).callback());
    const bare = await http.get('/pages/bare');
    assert.equal(bare.headers['content-security-policy'], "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assert.equal(bare.headers['x-frame-options'], 'DENY');
    const own = await http.get('/pages/own-policy');
    assert.equal(own.headers['content-security-policy'], "default-src 'none'; img-src data:; frame-ancestors 'none'");
    assert.equal(own.headers['x-frame-options'], 'DENY');
  });

  it('a route that declares its document public keeps its cache-control', async () => {
    const res = await request(appFor(kit).callback()).get('/pages/public');
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('HSTS only in production with an https publicUrl, with the configured max-age; 0 turns it off', async () => {
    const production = { mode: 'production' as const, passwordHashCost: 15, housekeepingIntervalSeconds: 0 };
    const cases: [Record<string, unknown>, string | undefined][] = [
      [{ ...production, publicUrl: 'https://id.example.com' }, 'max-age=31536000'],
      [{ ...production, publicUrl: 'https://id.example.com', hstsMaxAgeSeconds: 600 }, 'max-age=600'],
      [{ ...production, publicUrl: 'https://id.example.com', hstsMaxAgeSeconds: 0 }, undefined],
      [{ ...production, publicUrl: 'http://id.example.com' }, undefined],
      [{ mode: 'test', publicUrl: 'https://id.example.com' }, undefined],
    ];
    for (const [config, expected] of cases) {
      const k = await probeKit({ logger: createLogger({ level: 'silent' }), config: config as never });
      try {
        const http = request(appFor(k).callback());
        for (const res of [await http.post('/rest/v1/echo').send({ name: 'x' }), await http.get('/v2/fail/missing'), await http.get('/healthz')]) {
          assert.equal(res.headers['strict-transport-security'], expected, JSON.stringify(config));
        }
      } finally {
        await k.close();
      }
    }
  });

  it('a host route the kit does not serve is left alone', async () => {
    const res = await request(appFor(kit).callback()).get('/not-the-kit');
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-content-type-options'], undefined);
    assert.equal(res.headers['cache-control'], undefined);
  });
});
