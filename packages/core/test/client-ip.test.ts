import assert from 'node:assert/strict';
import { clientIpOf, createKit, createLogger, createProxyMatcher, defineRoute, KitConfigError, normalizeIp, resolveClientIp, Type, type Kit, type KitPlugin } from '@w3kit/core';
import Koa from 'koa';
import request from 'supertest';
import { MASTER_KEY, memoryLog } from './support.js';

describe('core client IP: trusted-proxy matcher (IPv4, IPv6, CIDR)', () => {
  it('matches single addresses and CIDR ranges of both families, at their edges', () => {
    const m = createProxyMatcher(['10.0.0.0/8', '192.168.1.7', '172.16.0.0/12', 'fd00::/8', '::1', '2001:db8:abcd::/48']);
    for (const inside of ['10.0.0.0', '10.255.255.255', '192.168.1.7', '172.16.0.1', '172.31.255.255', 'fd12:3456::1', '::1', '2001:db8:abcd:ffff::1']) assert.equal(m.trusts(inside), true, inside);
    for (const outside of ['11.0.0.0', '9.255.255.255', '192.168.1.8', '172.32.0.0', 'fe80::1', '::2', '2001:db8:abce::1', '127.0.0.1']) assert.equal(m.trusts(outside), false, outside);
  });

  it('treats IPv4-mapped IPv6 as the IPv4 address, both as peer and as configured entry', () => {
    const m = createProxyMatcher(['10.0.0.0/8']);
    assert.equal(m.trusts('::ffff:10.1.2.3'), true);
    assert.equal(m.trusts('::FFFF:11.1.2.3'), false);
    const mapped = createProxyMatcher(['::ffff:192.0.2.0/120']);
    assert.equal(mapped.trusts('192.0.2.200'), true);
    assert.equal(mapped.trusts('192.0.3.1'), false);
    assert.equal(normalizeIp('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeIp('2001:DB8::1'), '2001:db8::1');
  });

  it('/0 trusts every address of its family only; nothing is trusted by default', () => {
    const all4 = createProxyMatcher(['0.0.0.0/0']);
    assert.equal(all4.trusts('203.0.113.1'), true);
    assert.equal(all4.trusts('2001:db8::1'), false);
    const none = createProxyMatcher([]);
    assert.equal(none.empty, true);
    assert.equal(none.trusts('127.0.0.1'), false);
  });

  it('refuses what it cannot read, naming the entry', () => {
    for (const bad of ['10.0.0.0/33', '::/129', 'localhost', '10.0.0', '10.0.0.0/8/1', '10.0.0.0/x', '', '1.2.3.4/-1']) {
      assert.throws(
        () => createProxyMatcher([bad]),
        (error: Error) => error instanceof TypeError && error.message.includes(`"${bad}"`),
        bad,
      );
    }
  });
});

describe('core client IP: walking X-Forwarded-For right to left', () => {
  const proxies = createProxyMatcher(['10.0.0.0/8', '2001:db8::/32']);

  it('an untrusted peer is the client, whatever it wrote in X-Forwarded-For', () => {
    assert.equal(resolveClientIp('203.0.113.9', '1.1.1.1', proxies), '203.0.113.9');
    assert.equal(resolveClientIp('::ffff:203.0.113.9', '10.0.0.1', proxies), '203.0.113.9');
    assert.equal(resolveClientIp('203.0.113.9', '1.1.1.1', createProxyMatcher([])), '203.0.113.9');
  });

  it('a trusted peer: the first untrusted entry from the right; spoofed entries to its left are ignored', () => {
    assert.equal(resolveClientIp('10.0.0.2', '198.51.100.4', proxies), '198.51.100.4');
    assert.equal(resolveClientIp('10.0.0.2', '6.6.6.6, 7.7.7.7, 198.51.100.4', proxies), '198.51.100.4');
    assert.equal(resolveClientIp('10.0.0.2', '6.6.6.6, 198.51.100.4, 10.0.0.9, 10.3.3.3', proxies), '198.51.100.4');
    assert.equal(resolveClientIp('2001:db8::5', '2001:db8::6, 2001:0db9::7', proxies), '2001:db9::7');
  });

  it('every hop trusted: the leftmost; no header: the peer', () => {
    assert.equal(resolveClientIp('10.0.0.2', '10.0.0.5, 10.0.0.4', proxies), '10.0.0.5');
    assert.equal(resolveClientIp('10.0.0.2', undefined, proxies), '10.0.0.2');
    assert.equal(resolveClientIp('10.0.0.2', '', proxies), '10.0.0.2');
  });

  it('reads ports and brackets, and stops at an entry that is no address (never returning it)', () => {
    assert.equal(resolveClientIp('10.0.0.2', '198.51.100.4:5123', proxies), '198.51.100.4');
    assert.equal(resolveClientIp('10.0.0.2', '[2001:db9::1]:443', proxies), '2001:db9::1');
    assert.equal(resolveClientIp('10.0.0.2', '::ffff:198.51.100.4', proxies), '198.51.100.4');
    assert.equal(resolveClientIp('10.0.0.2', '198.51.100.4, <script>, 10.0.0.7', proxies), '10.0.0.7');
    assert.equal(resolveClientIp('10.0.0.2', 'unknown', proxies), '10.0.0.2');
  });
});

describe('core client IP: clientIpOf in a kit route', () => {
  const seen: { kit: string; koa: string }[] = [];
  const probe: KitPlugin = {
    name: 'probe',
    routes: [
      {
        api: 'probe',
        basePath: '/probe',
        format: 'finenex',
        routes: [
          defineRoute({
            name: 'test.get_ip',
            method: 'GET',
            path: '/ip',
            summary: 'Who is calling.',
            response: Type.Object({ ip: Type.String() }),
            handler: ({ ctx }) => {
              seen.push({ kit: clientIpOf(ctx), koa: ctx.ip });
              return { ip: clientIpOf(ctx) };
            },
          }),
        ],
      },
    ],
  };
  const kitWith = (trustedProxies?: string[]): Promise<Kit> =>
    createKit({
      database: 'sqlite::memory:',
      plugins: [probe],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: MASTER_KEY, mode: 'test', housekeepingIntervalSeconds: 0, ...(trustedProxies ? { trustedProxies } : {}) },
    });
  const appOf = (kit: Kit, proxy: boolean) => {
    const app = new Koa({ proxy });
    app.silent = true;
    app.use(kit.middleware());
    return app;
  };

  it("default: the socket's peer, even when the host app trusts X-Forwarded-For (app.proxy); ctx.ip stays the host's", async () => {
    const kit = await kitWith();
    try {
      seen.length = 0;
      const res = await request(appOf(kit, true).callback()).get('/probe/ip').set('x-forwarded-for', '198.51.100.77');
      assert.equal(res.status, 200);
      assert.match(res.body.ip, /^(127\.0\.0\.1|::1)$/);
      assert.deepEqual(seen, [{ kit: res.body.ip, koa: '198.51.100.77' }], 'the host still sees its own ctx.ip');
    } finally {
      await kit.close();
    }
  });

  it('with the loopback peer trusted: the address the proxy appended, whatever the app says', async () => {
    const kit = await kitWith(['127.0.0.1', '::1']);
    try {
      seen.length = 0;
      const res = await request(appOf(kit, false).callback()).get('/probe/ip').set('x-forwarded-for', '6.6.6.6, 198.51.100.77');
      assert.equal(res.body.ip, '198.51.100.77');
      assert.notEqual(seen[0]!.koa, '198.51.100.77', 'a host without app.proxy keeps its socket ctx.ip');
    } finally {
      await kit.close();
    }
  });

  it('trusting a whole family (/0) is allowed but logged as a warning, and so is an http: publicUrl in production', async () => {
    const log = memoryLog();
    const kit = await createKit({
      database: 'sqlite::memory:',
      logger: log.logger,
      config: { masterKey: MASTER_KEY, mode: 'production', passwordHashCost: 15, housekeepingIntervalSeconds: 0, trustedProxies: ['0.0.0.0/0'], publicUrl: 'http://id.example.com' },
    });
    await kit.close();
    const warnings = log.lines.filter((l) => l['level'] === 40).map((l) => String(l['msg']));
    assert.ok(
      warnings.some((m) => m.startsWith('trustedProxies trusts every address of a family (/0)')),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((m) => m.startsWith('production with an http: publicUrl')),
      warnings.join('\n'),
    );
  });

  it('a bad trustedProxies entry fails createKit with a config problem naming it', async () => {
    await assert.rejects(kitWith(['10.0.0.0/8', 'proxy.internal']), (error: KitConfigError) => {
      assert.ok(error instanceof KitConfigError);
      assert.deepEqual(error.problems, ['config.trustedProxies: "proxy.internal" is not an IP address or CIDR range (10.0.0.0/8, fd00::/8, 127.0.0.1)']);
      return true;
    });
  });
});
