import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { endUser, organization, staticMetadata as sampleStaticMetadata } from '../packages/nft/test/support.js';
import { startFullKit, type FullKit } from './full-kit.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  security: unknown[];
  responses: Record<string, { content?: Record<string, { schema: Json }>; 'x-w3kit-error-codes'?: string[] }>;
  'x-w3kit-rate-limits'?: unknown[];
  requestBody?: unknown;
}

const operationsOf = (doc: Json): [string, string, Operation][] =>
  Object.entries(doc['paths'] as Record<string, Record<string, Operation>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [method, path, op] as [string, string, Operation]));

describe('routes-a: /openapi.json is complete and valid OpenAPI 3.1', () => {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let full: FullKit;
      let doc: Json;
      before(async () => {
        db = await createTestDatabase(kind);
        full = await startFullKit(db.url);
        doc = (await request(full.url).get('/openapi.json')).body as Json;
      });
      after(async () => {
        await full?.close();
        await db?.drop();
      });

      it('validates as OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
        const result = await new Validator().validate(doc);
        assert.deepEqual(result.errors ?? [], []);
        assert.equal(result.valid, true);
        assert.equal(doc['openapi'], '3.1.0');
      });

      it('every operation: a name, a success response (a schema where it answers JSON), error codes by status, 429 where limited, its security', () => {
        const operations = operationsOf(doc);
        assert.ok(operations.length >= 90, `only ${operations.length} operations`);
        const ids = new Set<string>();
        for (const [method, path, op] of operations) {
          const where = `${method.toUpperCase()} ${path}`;
          assert.match(op.operationId, /^[a-z][a-z0-9-]*(\.[a-z0-9_-]+)+$/i, where);
          assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} twice`);
          ids.add(op.operationId);
          const success = Object.entries(op.responses).find(([status]) => /^[23]/.test(status));
          assert.ok(success, `${where}: no success response`);
          const [, answer] = success;
          for (const [type, media] of Object.entries(answer.content ?? {})) {
            if (type === 'application/json') assert.ok(Object.keys(media.schema).length > 0, `${where}: an empty success schema`);
          }
          const errors = Object.entries(op.responses).filter(([status]) => /^[45]/.test(status));
          assert.ok(
            errors.some(([status]) => status === '500'),
            `${where}: no 500`,
          );
          for (const [status, response] of errors) {
            assert.ok((response['x-w3kit-error-codes'] ?? []).length > 0, `${where}: ${status} names no error code`);
            assert.ok(response.content?.['application/json']?.schema, `${where}: ${status} has no error body schema`);
          }
          if (op['x-w3kit-rate-limits']) assert.ok(op.responses['429'], `${where}: rate-limited without a 429`);
          if (op.requestBody) assert.ok(op.responses['400']?.['x-w3kit-error-codes']?.includes('VALIDATION_FAILED'), `${where}: a body without VALIDATION_FAILED`);
          assert.ok(Array.isArray(op.security), `${where}: no security`);
          if (op.security.length > 0) assert.deepEqual(op.responses['401']?.['x-w3kit-error-codes']?.slice(0, 2), ['UNAUTHENTICATED', 'INVALID_TOKEN'], where);
        }
      });

      it('names the codes the routes really answer (samples)', () => {
        const byId = new Map(operationsOf(doc).map(([, , op]) => [op.operationId, op]));
        const codes = (id: string, status: string) => byId.get(id)?.responses[status]?.['x-w3kit-error-codes'] ?? [];
        assert.ok(codes('nft.mint', '403').length > 0, 'nft.mint lists its 403s');
        assert.ok(codes('auth.login', '401').includes('INVALID_CREDENTIALS'));
        assert.ok(codes('auth.login', '429').includes('RATE_LIMITED'));
        assert.ok(codes('did.create-vc', '429').includes('RATE_LIMITED'));
        assert.ok(codes('nft.qr.scan', '429').includes('RATE_LIMITED'));
        assert.deepEqual(byId.get('nft.qr.scan')?.['x-w3kit-rate-limits'], [{ rule: 'nft.qr.scan', key: 'principal' }]);
        assert.deepEqual(byId.get('did.create-address')?.security, [{ bearerAuth: [] }, {}]);
      });

      it('real responses validate against their declared schemas', async () => {
        const ajv = new Ajv2020({ strict: false, allErrors: true });
        (addFormats as unknown as (a: Ajv2020) => void)(ajv);
        ajv.addSchema(doc, 'openapi');
        const byId = new Map(operationsOf(doc).map(([method, path, op]) => [op.operationId, { method, path, op }]));
        const check = (id: string, res: { status: number; body: unknown }) => {
          const entry = byId.get(id);
          assert.ok(entry, id);
          const schema = entry.op.responses[String(res.status)]?.content?.['application/json']?.schema;
          assert.ok(schema, `${id}: no schema for status ${res.status}`);
          const validate = ajv.compile({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...resolveRefs(schema, doc) });
          assert.ok(validate(res.body), `${id} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 800)}`);
        };
        const app = full.url;
        const minter = await organization(full.kit);
        const holder = await endUser(full.kit);
        const mint = await request(app)
          .post(`/rest/v1/nft/mint/to/${holder.address}`)
          .set('authorization', minter.bearer)
          .send({ metadata: { static: sampleStaticMetadata(), dynamic: { category: 'diploma' } }, visibility: 'public' });
        check('nft.mint', mint);
        const tokenId = mint.body.result.token_id as string;
        check('nft.fetch', await request(app).get(`/rest/v1/nft/${tokenId}`).set('authorization', holder.bearer));
        check('nft.minted-by-me', await request(app).get('/rest/v1/nft/minted_by_me?pageNum=1&perPageItemNum=10&order=desc').set('authorization', minter.bearer));
        check('nft.held-by', await request(app).get(`/rest/v1/nft/held_by_id_wallet/${holder.address}?pageNum=1&perPageItemNum=10&order=desc`).set('authorization', holder.bearer));
        check('nft.verifications', await request(app).get(`/rest/v1/nft/${tokenId}/verifications`).set('authorization', minter.bearer));
        check('nft.metadata', await request(app).get(`/rest/v1/nft/${tokenId}/metadata`));
        check('auth.account.my-info', await request(app).get('/rest/v1/account/my_info').set('authorization', holder.bearer));
        check('auth.jwks', await request(app).get('/.well-known/jwks.json'));
        check('kit.readyz', await request(app).get('/readyz'));
        // errors, in three wire formats
        check(
          'nft.fetch',
          await request(app)
            .get(`/rest/v1/nft/0x${'0'.repeat(64)}`)
            .set('authorization', holder.bearer),
        );
        check('auth.login', await request(app).post('/v2/auth/auth-user').send({ id: 'nobody', password: 'wrong' }));
        check('attestations.phone.verify', await request(app).post('/api/attestations/phone/verify').send({}));
        // DID: a credential about the holder, verified
        const holderDid = await request(app).post('/v2/did/create-did').set('authorization', holder.bearer).send({ alias: 'me', address: holder.address });
        check('did.create-did', holderDid);
        const vc = await request(app)
          .post('/v2/did/create-vc')
          .set('authorization', holder.bearer)
          .send({ holder: holderDid.body.did, userInfo: { name: 'Ada' } });
        check('did.create-vc', vc);
        check('did.verify-vc', await request(app).post('/v2/did/verify-vc').send(vc.body));
      });
    });
  }
});

/** The schema with its `#/components/…` refs replaced by what they name (ajv compiles it alone). */
function resolveRefs(schema: unknown, doc: Json): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((at, key) => (at as Json)[key], doc);
      return walk(target);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  return walk(schema) as Json;
}
