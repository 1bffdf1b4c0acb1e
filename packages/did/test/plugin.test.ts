import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createKit, createLogger } from '@w3kit/core';
import { createTestDatabase, testDatabases } from '@w3kit/core/testing';
import { did } from '@w3kit/did';
import request from 'supertest';
import { appFor, createUser, didKit, MASTER_KEY } from './support.js';

describe('did: plugin options', () => {
  it('refuses bad options at once, naming the option', () => {
    assert.throws(() => did({ chainId: 0 }), { name: 'TypeError', message: 'did(): chainId must be a positive integer' });
    assert.throws(() => did({ statusListLength: 1001 }), { message: 'did(): statusListLength must be a multiple of 8' });
    assert.throws(() => did({ appLoginDefaultWaitSeconds: 900 }), { message: 'did(): appLoginDefaultWaitSeconds must not exceed appLoginMaxWaitSeconds' });
    assert.throws(() => did({ credentialTtlSeconds: -1 }), { message: 'did(): credentialTtlSeconds must be a non-negative integer (0: no expiry)' });
    assert.throws(() => did({ networks: { 'My Chain': 5 } }), { message: 'did(): networks: "My Chain" is not a did:ethr network name (a-z, 0-9, -, :)' });
    assert.throws(() => did({ dataIntegrityDataModel: '3.0' as never }), { message: 'did(): dataIntegrityDataModel must be "1.1" or "2.0"' });
  });
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('did: composition, instances and key custody', () => {
      it('requires auth: composing did alone is a startup error that says what to add', async () => {
        const db = await createTestDatabase(kind);
        try {
          await assert.rejects(createKit({ database: db.url, plugins: [did()], logger: createLogger({ level: 'silent' }), config: { masterKey: MASTER_KEY, mode: 'test' } }), {
            message: 'createKit: plugin "did" requires plugin "auth", which is not composed; add auth() to plugins',
          });
        } finally {
          await db.drop();
        }
      });

      it('two instances starting at once on a new database create one set of kit keys', async () => {
        const db = await createTestDatabase(kind);
        const kits = await Promise.all([didKit(db.url), didKit(db.url)]);
        try {
          const [a, b] = await Promise.all(kits.map(async (kit) => (await request(appFor(kit).callback()).get('/v2/did/issuers')).body));
          assert.deepEqual(a, b);
          const rows = await kits[0].services.db.withTables<{ did_kit_keys: { did: string } }>().selectFrom('did_kit_keys').select('did').execute();
          assert.equal(rows.length, 4);
        } finally {
          await Promise.all(kits.map((kit) => kit.close()));
          await db.drop();
        }
      });

      it('after a master-key rotation the kit still signs as the same issuers; without the old key it refuses to start', async () => {
        const db = await createTestDatabase(kind);
        const first = await didKit(db.url);
        const issuers = (await request(appFor(first).callback()).get('/v2/did/issuers')).body;
        await first.close();
        const rotated = randomBytes(32).toString('hex');
        const second = await didKit(db.url, {}, { config: { masterKey: rotated, previousMasterKeys: [MASTER_KEY] } });
        try {
          const app = appFor(second).callback();
          assert.deepEqual((await request(app).get('/v2/did/issuers')).body, issuers);
          const user = await createUser(second);
          for (const format of ['jwt', 'eddsa-rdfc-2022', 'ecdsa-rdfc-2019']) {
            const vc = await request(app).post('/v2/did/create-vc').set('authorization', user.bearer).send({ holder: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf', userInfo: {}, format });
            assert.equal(vc.status, 200, format);
            assert.equal((await request(app).post('/v2/did/verify-vc').send(vc.body)).body.verified, true, format);
          }
        } finally {
          await second.close();
        }
        await assert.rejects(didKit(db.url, {}, { config: { masterKey: rotated } }), /sealed under an unknown master key/);
        await db.drop();
      });

      it('bounds custodial addresses per client and VP login tries per client (429)', async () => {
        const db = await createTestDatabase(kind);
        const kit = await didKit(db.url);
        try {
          const app = appFor(kit).callback();
          for (let i = 0; i < 30; i++) assert.equal((await request(app).post('/v2/did/create-address')).status, 200);
          const limited = await request(app).post('/v2/did/create-address');
          assert.equal(limited.status, 429);
          assert.equal(limited.body.code, 'RATE_LIMITED');
          assert.ok(Number(limited.headers['retry-after']) > 0);
          // an account's own addresses count against the account, not the client
          const user = await createUser(kit);
          assert.equal((await request(app).post('/v2/did/create-address').set('authorization', user.bearer)).status, 200);
          for (let i = 0; i < 60; i++)
            assert.equal(
              (
                await request(app)
                  .post('/v2/auth/auth-user-with-vp')
                  .send({ vp: { proof: { type: 'JwtProof2020', jwt: 'x.y.z' } } })
              ).status,
              401,
            );
          assert.equal(
            (
              await request(app)
                .post('/v2/auth/auth-user-with-vp')
                .send({ vp: { proof: { type: 'JwtProof2020', jwt: 'x.y.z' } } })
            ).status,
            429,
          );
        } finally {
          await kit.close();
          await db.drop();
        }
      });

      it('documents every did route in the OpenAPI document', async () => {
        const db = await createTestDatabase(kind);
        const kit = await didKit(db.url, { loginDemoPage: true });
        try {
          const paths = Object.keys((kit.openapi() as { paths: Record<string, unknown> }).paths);
          for (const path of [
            '/v2/did/create-address',
            '/v2/did/create-did',
            '/v2/did/create-vc',
            '/v2/did/verify-vc',
            '/v2/did/create-vp',
            '/v2/did/verify-vp',
            '/v2/did/revoke-vc',
            '/v2/did/issuers',
            '/v2/did/verifiers',
            '/v2/did/status-lists/{id}',
            '/v2/auth/auth-user-with-vp',
            '/v2/auth/auth-user-by-app',
            '/v2/auth/cancel-auth-user-by-app',
            '/v2/auth/auth-user-result-by-app',
            '/v2/login-demo',
            '/credentials/issue',
            '/credentials/verify',
            '/credentials/status',
            '/presentations/verify',
          ]) {
            assert.ok(paths.includes(path), path);
          }
        } finally {
          await kit.close();
          await db.drop();
        }
      });
    });
  });
}
