import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compileValidator, createLogger, type KitPlugin } from '@w3kit/core';
import { createTestDatabase, type TestDatabase } from '@w3kit/core/testing';
import { createExampleKit } from '@w3kit/example-mount-into-koa-app';
import { loadServerConfig, standalonePlugins } from '@w3kit/standalone-server';
import Koa from 'koa';
import request from 'supertest';
import { startFullKit, type FullKit } from './full-kit.js';

type Json = Record<string, unknown>;

const plugins: KitPlugin[] = standalonePlugins(
  loadServerConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'sqlite::memory:',
    PUBLIC_URL: 'http://localhost:3000',
    W3KIT_MASTER_KEY: randomBytes(32).toString('hex'),
    ATTESTATION_SIGNER_KEY: `0x${randomBytes(32).toString('hex')}`,
    DID_LOGIN_DEMO: 'true',
  }),
);
const groups = plugins.flatMap((plugin) => (plugin.routes ?? []).map((group) => ({ plugin: plugin.name, group })));
const keyOf = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe('docs-client: request examples in the OpenAPI document', function () {
  this.timeout(60_000);

  it('every route with a JSON body in the standalone server’s plugins has a request example', () => {
    const missing = groups.flatMap(({ plugin, group }) => group.routes.filter((route) => route.body && !group.examples?.[keyOf(route)]).map((route) => `${plugin} ${group.api}: ${keyOf(route)}`));
    assert.deepEqual(missing, []);
  });

  it('every example names a route of its group and is valid against the route’s own body, path and query schemas', () => {
    let checked = 0;
    for (const { plugin, group } of groups) {
      for (const [key, example] of Object.entries(group.examples ?? {})) {
        const route = group.routes.find((r) => keyOf(r) === key);
        assert.ok(route, `${plugin} ${group.api}: the example ${key} names no route`);
        for (const [part, schema, value] of [
          ['body', route.body, example.body],
          ['params', route.params, example.params],
          ['query', route.query, example.query],
        ] as const) {
          if (!schema) {
            assert.equal(value, undefined, `${key}: an example ${part} for a route without one`);
            continue;
          }
          const result = compileValidator(part, schema).check(value);
          assert.ok(result.ok, `${plugin} ${key} ${part}: ${JSON.stringify(result.ok ? null : result.issues)}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 40, `${checked} parts checked`);
  });

  describe('served', () => {
    let db: TestDatabase;
    let full: FullKit;
    before(async () => {
      db = await createTestDatabase('sqlite');
      full = await startFullKit(db.url);
    });
    after(async () => {
      await full?.close();
      await db?.drop();
    });

    it('/openapi.json carries them: the mint body and its path parameter, a query parameter, the login body', async () => {
      const doc = (await (await fetch(`${full.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Json>> };
      const mint = doc.paths['/rest/v1/nft/mint/to/{holder_id_wallet_address}']!['post']!;
      const body = (mint['requestBody'] as { content: Record<string, { example?: Json }> }).content['application/json']!.example!;
      assert.equal(((body['metadata'] as Json)['static'] as Json)['serial_number'], 123);
      assert.deepEqual(
        (mint['parameters'] as Json[]).map((p) => p['example']),
        ['0x52908400098527886E0F7030069857D2E4169EE7'],
      );
      const step2 = doc.paths['/rest/v1/nft/verification/qr_code/step2']!['post']!;
      assert.equal((step2['parameters'] as Json[]).find((p) => p['name'] === 'c')!['example'], 'Q7X2M9K4');
      const login = doc.paths['/v2/auth/auth-user']!['post']!;
      assert.deepEqual((login['requestBody'] as { content: Record<string, { example?: Json }> }).content['application/json']!.example, {
        userType: 'user',
        id: 'ada@example.com',
        password: 'correct horse battery',
      });
    });
  });

  it('a kit mounted at /identity: the reference page loads the document and its assets under the mount path', async () => {
    const db = await createTestDatabase('sqlite');
    const kit = await createExampleKit({
      database: db.url,
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: randomBytes(32).toString('hex'), mode: 'test', housekeepingIntervalSeconds: 0, publicUrl: 'https://notes.example.com' },
    });
    try {
      const app = new Koa();
      app.use(kit.middleware());
      const http = request(app.callback());
      const page = await http.get('/identity/docs');
      assert.equal(page.status, 200);
      assert.match(page.text, /data-openapi="\/identity\/openapi\.json"/);
      const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      assert.deepEqual(assets, ['/identity/docs/assets/swagger-ui.css', '/identity/docs/assets/swagger-ui-bundle.js', '/identity/docs/assets/docs-init.js']);
      for (const asset of assets) assert.equal((await http.get(asset)).status, 200, asset);
      assert.equal((await http.get('/identity/openapi.json')).body.openapi, '3.1.0');
    } finally {
      await kit.close();
      await db.drop();
    }
  });
});
