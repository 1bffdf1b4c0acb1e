import assert from 'node:assert/strict';
import { compileValidator, createKit, createLogger, defineRoute, Type, type Kit, type KitPlugin } from '@w3kit/core';
import { appFor } from '@w3kit/core/testing';
import request from 'supertest';
import { inGroup, MASTER_KEY } from './support.js';

/** One route per wire format whose query and path carry every kind of number a route may ask for. */
function numbersPlugin(): KitPlugin {
  const route = defineRoute({
    name: 'test.get_numbers_id',
    method: 'GET',
    path: '/numbers/:id',
    summary: 'Echoes numbers read from the path and the query.',
    params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
    query: Type.Object({
      page: Type.Integer({ minimum: 1, maximum: 100, default: 1 }),
      count: Type.Optional(Type.Integer()),
      ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      flag: Type.Optional(Type.Boolean()),
    }),
    handler: ({ params, query }) => ({ id: params.id, ...query }),
  });
  return {
    name: 'numbers',
    routes: [
      { api: 'web3connect', basePath: '/rest/v1', format: 'web3connect', routes: inGroup('web3connect', [route]) },
      { api: 'origin', basePath: '/api/attestations', format: 'origin', routes: inGroup('origin', [route]) },
      { api: 'finenex', basePath: '/v2', format: 'finenex', routes: inGroup('finenex', [route]) },
    ],
  };
}

/** The issues of a 400 in any of the three wire formats. */
function issuesOf(body: Record<string, unknown>): unknown {
  if ('errors' in body) return body['errors'];
  if (body['status'] === 'error') return (body['error'] as Record<string, unknown>)['issues'];
  return body['issues'];
}

describe('core validation: strict numbers in query strings and paths', () => {
  let kit: Kit;
  before(async () => {
    kit = await createKit({
      database: 'sqlite::memory:',
      plugins: [numbersPlugin()],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10 },
    });
  });
  after(() => kit.close());

  for (const base of ['/rest/v1', '/api/attestations', '/v2']) {
    const get = (path: string) => request(appFor(kit).callback()).get(`${base}${path}`);
    const result = (body: Record<string, unknown>) => (base === '/rest/v1' ? body['result'] : body);

    it(`${base}: plain decimals convert, booleans still do`, async () => {
      const res = await get('/numbers/7?page=100&count=-3&ratio=0.25&flag=true');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(result(res.body), { id: 7, page: 100, count: -3, ratio: 0.25, flag: true });
      assert.deepEqual(result((await get('/numbers/07?page=01')).body), { id: 7, page: 1 });
      const proto = await get('/numbers/1?__proto__=a&__proto__=b&page=2');
      assert.equal(proto.status, 200);
      assert.equal((result(proto.body) as { page: number }).page, 2);
    });

    it(`${base}: 400 for text that TypeBox would have read as another number`, async () => {
      const cases: [string, string[]][] = [
        ['/numbers/1?page=1.5', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?page=1e400', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?page=1e1', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?page=0x10', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?page=%201', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?page=', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?page=0', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?page=101', ['query.page: must be an integer from 1 to 100.']],
        ['/numbers/1?count=9007199254740993', ['query.count: not a valid integer.']],
        ['/numbers/1?count=1.0', ['query.count: not a valid integer.']],
        ['/numbers/1?ratio=1e-1', ['query.ratio: must be a number from 0 to 1.']],
        ['/numbers/1?ratio=.5', ['query.ratio: must be a number from 0 to 1.']],
        ['/numbers/1?ratio=Infinity', ['query.ratio: must be a number from 0 to 1.']],
        ['/numbers/1.5', ['params.id: not a valid integer.']],
        ['/numbers/1e3', ['params.id: not a valid integer.']],
        ['/numbers/0', ['params.id: must be at least 1.']],
      ];
      for (const [path, issues] of cases) {
        const res = await get(path);
        assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(issuesOf(res.body), issues, path);
      }
    });
  }

  it('bodies are JSON and are not converted; a bounded number in a body names its range too', () => {
    const body = compileValidator('body', Type.Object({ wait: Type.Integer({ minimum: 1, maximum: 600 }) }));
    assert.deepEqual(body.check({ wait: '5' }), { ok: false, issues: [{ field: 'wait', message: 'must be an integer from 1 to 600.' }] });
    assert.deepEqual(body.check({ wait: 601 }), { ok: false, issues: [{ field: 'wait', message: 'must be an integer from 1 to 600.' }] });
    assert.deepEqual(body.check({}), { ok: false, issues: [{ field: 'wait', message: 'is required.' }] });
    assert.deepEqual(body.check({ wait: 5 }), { ok: true, value: { wait: 5 } });
  });
});
