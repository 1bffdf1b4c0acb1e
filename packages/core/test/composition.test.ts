import assert from 'node:assert/strict';
import { createKit, createLogger, defineRoute, KitConfigError, type KitPlugin } from '@w3kit/core';
import { MASTER_KEY } from './support.js';

const config = { masterKey: MASTER_KEY, mode: 'test' as const };
const logger = createLogger({ level: 'silent' });
const named = (name: string, extra: Partial<KitPlugin> = {}): KitPlugin => ({ name, ...extra });

describe('createKit composition and config', () => {
  it('names the missing plugin and how to add it', async () => {
    await assert.rejects(createKit({ database: 'sqlite::memory:', config, plugins: [named('nft', { requires: ['auth'] })] }), {
      name: 'TypeError',
      message: 'createKit: plugin "nft" requires plugin "auth", which is not composed; add auth() to plugins',
    });
  });

  it('refuses a plugin composed twice', async () => {
    await assert.rejects(createKit({ database: 'sqlite::memory:', config, plugins: [named('auth'), named('auth')] }), /plugin "auth" is composed twice/);
  });

  it('refuses a factory passed instead of its result', async () => {
    const factory = () => named('auth');
    await assert.rejects(createKit({ database: 'sqlite::memory:', config, plugins: [factory] }), /plugins\[0\] is not a plugin; pass the result of the factory \(auth\(\), not auth\)/);
  });

  it('refuses two plugins serving the same route', async () => {
    const route = defineRoute({ name: 'test.get_x', method: 'GET', path: '/x', summary: 'x', handler: () => 1 });
    const group = { api: 'web3connect', basePath: '/rest/v1', format: 'web3connect' as const, routes: [route] };
    await assert.rejects(
      createKit({ database: 'sqlite::memory:', config, plugins: [named('a', { routes: [group] }), named('b', { routes: [group] })] }),
      /route GET \/rest\/v1\/x is served by both "a" and "b"/,
    );
  });

  it('lists every config problem at once', async () => {
    await assert.rejects(createKit({ database: 'sqlite::memory:', config: { masterKey: 'short', bodyLimitBytes: 5, mode: 'staging' as 'test' } }), (error: KitConfigError) => {
      assert.ok(error instanceof KitConfigError);
      assert.ok(error.problems.some((p) => p.startsWith('config.masterKey:')));
      assert.ok(error.problems.some((p) => p.startsWith('config.bodyLimitBytes:')));
      assert.ok(error.problems.some((p) => p.startsWith('config.mode:')));
      return true;
    });
    await assert.rejects(createKit({ database: 'sqlite::memory:', config: {} as typeof config }), /config\.masterKey: is required .*openssl rand -hex 32/);
    await assert.rejects(createKit({ database: 'sqlite::memory:', config: { ...config, unknownOption: 1 } as typeof config }), /config: .*unknownOption|Unexpected property/);
  });

  it('refuses rate-limit overrides for rules no plugin declares', async () => {
    await assert.rejects(
      createKit({
        database: 'sqlite::memory:',
        config: { ...config, rateLimits: { 'nope.rule': { limit: 1, windowSeconds: 1 } } },
        plugins: [named('a', { rateLimits: { 'a.send': { limit: 3, windowSeconds: 600 } } })],
      }),
      /config\.rateLimits\.nope\.rule: no composed plugin declares this rule \(known: a\.send\)/,
    );
    const kit = await createKit({
      database: 'sqlite::memory:',
      config: { ...config, rateLimits: { 'a.send': { limit: 9, windowSeconds: 60 } } },
      plugins: [named('a', { rateLimits: { 'a.send': { limit: 3, windowSeconds: 600 } } })],
    });
    assert.deepEqual(kit.services.rateLimiter.rule('a.send'), { limit: 9, windowSeconds: 60, strategy: 'fixed' });
    await kit.close();
  });

  it('refuses an unsupported database URL without echoing its password', async () => {
    await assert.rejects(createKit({ database: 'mongodb://u:hunter2@db/x', config }), (error: Error) => {
      assert.match(error.message, /unsupported database URL .*use sqlite:<file>/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  it('production refuses the development senders a plugin uses, and accepts real ones', async () => {
    const texting = named('texting', { uses: ['smsSender'] });
    await assert.rejects(
      createKit({ database: 'sqlite::memory:', logger, config: { ...config, mode: 'production' }, plugins: [texting] }),
      /smsSender: the development log sender cannot run in production \(used by texting\); configure a real sender/,
    );
    const sent: unknown[] = [];
    const kit = await createKit({
      database: 'sqlite::memory:',
      logger,
      config: { ...config, mode: 'production' },
      plugins: [texting],
      services: { smsSender: { development: false, send: async (m) => void sent.push(m) } },
    });
    await kit.services.smsSender.send({ to: '+15555550100', text: 'hi' });
    assert.deepEqual(sent, [{ to: '+15555550100', text: 'hi' }]);
    await kit.close();
    // a kit whose plugins send nothing does not need senders
    await (await createKit({ database: 'sqlite::memory:', logger, config: { ...config, mode: 'production' } })).close();
  });

  it('closes the services it was given that have close(), on kit.close()', async () => {
    let closed = 0;
    const kit = await createKit({
      database: 'sqlite::memory:',
      config,
      services: { emailSender: { development: false, send: async () => {}, close: () => void closed++ } as never },
    });
    await kit.services.emailSender.send({ to: 'a@example.com', subject: 's', text: 't' });
    await kit.close();
    assert.equal(closed, 1);
  });

  it('resolves scoped services per request, singletons once', async () => {
    const { asFunction } = await import('awilix');
    let singletons = 0;
    const plugin: KitPlugin = {
      name: 'scoped',
      register(container) {
        container.register({
          perRequest: asFunction(({ requestId }: { requestId: string }) => ({ requestId })).scoped(),
          shared: asFunction(() => ({ n: ++singletons })).singleton(),
        } as never);
      },
      routes: [
        {
          api: 'plain',
          basePath: '',
          format: 'finenex',
          routes: [
            defineRoute({
              name: 'test.get_who',
              method: 'GET',
              path: '/who',
              summary: 'scope probe',
              handler: ({ services }) => {
                const s = services as unknown as { perRequest: { requestId: string }; shared: { n: number }; requestId: string };
                return { scoped: s.perRequest.requestId, again: s.perRequest.requestId, shared: s.shared.n, requestId: s.requestId };
              },
            }),
          ],
        },
      ],
    };
    const kit = await createKit({ database: 'sqlite::memory:', config, plugins: [plugin] });
    const { default: Koa } = await import('koa');
    const { default: request } = await import('supertest');
    const app = new Koa();
    app.use(kit.middleware());
    const a = await request(app.callback()).get('/who').set('x-request-id', 'req-a');
    const b = await request(app.callback()).get('/who').set('x-request-id', 'req-b');
    assert.deepEqual(a.body, { scoped: 'req-a', again: 'req-a', shared: 1, requestId: 'req-a' });
    assert.deepEqual(b.body, { scoped: 'req-b', again: 'req-b', shared: 1, requestId: 'req-b' });
    await kit.close();
  });

  it('registers plugin services in the container, with per-request scopes', async () => {
    let registered = false;
    const plugin: KitPlugin = {
      name: 'greeter',
      register(container, { config: resolved }) {
        registered = resolved.mode === 'test';
        container.register('greeting' as never, { resolve: () => 'hello' } as never);
      },
    };
    const kit = await createKit({ database: 'sqlite::memory:', config, plugins: [plugin] });
    assert.equal(registered, true);
    assert.equal((kit.container.cradle as unknown as { greeting: string }).greeting, 'hello');
    await kit.close();
  });
});
