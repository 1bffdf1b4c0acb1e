import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit } from '@w3kit/core';
import { appFor, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { oidc } from '@w3kit/oidc';
import { MASTER_KEY } from './support.js';

const ISSUER_ORIGIN = 'https://id.example.test';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oidc in production behind a TLS proxy', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let kit: Kit;

      before(async () => {
        db = await createTestDatabase(kind);
        const quiet = { development: false, send: async () => undefined };
        kit = await createKit({
          database: db.url,
          plugins: [auth(), oidc()],
          logger: createLogger({ level: 'silent' }),
          services: { smsSender: quiet, emailSender: quiet },
          config: { masterKey: MASTER_KEY, mode: 'production', passwordHashCost: 15, housekeepingIntervalSeconds: 0, publicUrl: ISSUER_ORIGIN },
        });
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
      });

      it('discovery is built from the issuer whatever Host the client sends; cookies are Secure, HttpOnly and SameSite', async () => {
        const app = appFor(kit, { proxy: true }).callback();
        const discovery = await request(app).get('/oidc/.well-known/openid-configuration').set('host', 'evil.example').set('x-forwarded-proto', 'https');
        assert.equal(discovery.status, 200);
        assert.equal(discovery.body.issuer, `${ISSUER_ORIGIN}/oidc`);
        assert.equal(discovery.body.token_endpoint, `${ISSUER_ORIGIN}/oidc/token`, 'not evil.example');

        const created = await kit.services.oidcClientService.create({ name: 'Prod RP', redirectUris: ['https://rp.example.test/cb'] });
        const auth = await request(app)
          .get('/oidc/auth')
          .query({
            client_id: created.client_id,
            response_type: 'code',
            scope: 'openid',
            redirect_uri: 'https://rp.example.test/cb',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          })
          .set('host', 'id.example.test')
          .set('x-forwarded-proto', 'https');
        assert.equal(auth.status, 303);
        assert.match(auth.headers['location']!, /^\/oidc\/interaction\/[\w-]+$/);
        const cookies = ([] as string[]).concat(auth.headers['set-cookie'] ?? []);
        assert.ok(cookies.length > 0);
        for (const cookie of cookies) {
          assert.match(cookie, /; secure/i, cookie);
          assert.match(cookie, /; httponly/i, cookie);
          assert.match(cookie, /; samesite=lax/i, cookie);
        }
        const page = await request(app)
          .get(auth.headers['location']!)
          .set('host', 'id.example.test')
          .set('x-forwarded-proto', 'https')
          .set('cookie', cookies.map((c) => c.split(';')[0]).join('; '));
        assert.equal(page.status, 200);
        const csrfCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('w3kit_oidc_csrf='));
        assert.match(csrfCookie!, /HttpOnly; SameSite=Strict; Secure/);
      });

      it('production refuses http:// redirect URIs for clients (loopback aside)', async () => {
        await assert.rejects(kit.services.oidcClientService.create({ name: 'RP', redirectUris: ['http://rp.example.test/cb'] }), /must use https/);
        await kit.services.oidcClientService.create({ name: 'Native', redirectUris: ['http://127.0.0.1:8765/cb'] });
      });
    });
  });
}
