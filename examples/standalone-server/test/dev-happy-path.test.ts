import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, migrateToLatest, type DatabaseHandle } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';
import { createKyselyOutboxStore, devOutboxMigrations } from '../src/dev/outbox-store.js';
import { prettyLine } from '../src/dev/pretty-log.js';
import { productionEnv, runCli, startServer } from './newcomer-support.js';

const run = runCli;
const start = startServer;

interface Seed {
  organization: { account_id: string; domain: string; api_key_secret: string; access_token: string };
  user: { account_id: string; login_id: string; password: string; id_wallet_address: string; did: string; access_token: string };
  nft: { token_id: string };
  vc_file: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = { 'content-type': 'application/json' };

describe('newcomer dev happy path', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-newcomer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const kind of testDatabases()) {
    describe(kind, () => {
      let database: TestDatabase;
      beforeEach(async () => {
        database = await createTestDatabase(kind);
      });
      afterEach(() => database.drop());

      it('dev seed makes a verified organization, a user, an NFT and a VC that the running server serves', async () => {
        const env = { W3KIT_DATA_DIR: dir, DATABASE_URL: database.url, PUBLIC_URL: 'http://127.0.0.1:8080', LOG_LEVEL: 'warn' };
        const seeded = run(['dev', 'seed', '--json'], env);
        assert.equal(seeded.status, 0, seeded.stderr);
        const seed = JSON.parse(seeded.stdout) as Seed;
        // the override is audited, on stderr (stdout is the command's answer)
        assert.match(
          seeded.stderr,
          new RegExp(`domain ${seed.organization.domain.replace(/\./g, '\\.')} marked verified by the operator, without a DNS check.*audit=auth\\.domain\\.operator_override`),
        );
        const server = await start(env);
        try {
          const nft = await fetch(`${server.url}/rest/v1/nft/${seed.nft.token_id}`, { headers: bearer(seed.organization.access_token) });
          assert.equal(nft.status, 200);
          const nftBody = (await nft.json()) as { status: string; result: { token_id: string; metadata: { static: { name: string } } } };
          assert.equal(nftBody.status, 'ok');
          assert.equal(nftBody.result.token_id, seed.nft.token_id);
          const org = (await (await fetch(`${server.url}/rest/v1/account/my_info`, { headers: bearer(seed.organization.access_token) })).json()) as { result: { domain_verified: boolean } };
          assert.equal(org.result.domain_verified, true);
          const held = (await (await fetch(`${server.url}/rest/v1/nft/held_by_id_wallet/${seed.user.id_wallet_address}`, { headers: bearer(seed.user.access_token) })).json()) as {
            result: { token_id: string }[];
          };
          assert.deepEqual(
            held.result.map((n) => n.token_id),
            [seed.nft.token_id],
          );
          const { readFileSync } = await import('node:fs');
          const verified = await fetch(`${server.url}/v2/did/verify-vc`, { method: 'POST', headers: json, body: readFileSync(seed.vc_file, 'utf8') });
          assert.equal(verified.status, 200);
          assert.equal(((await verified.json()) as { verified: boolean }).verified, true);
          // the organization can mint more itself now: the refresh line of the seed's output works
          const refreshed = await fetch(`${server.url}/rest/v1/auth/account/access_token/refresh`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ api_key_secret: seed.organization.api_key_secret }),
          });
          assert.equal(refreshed.status, 200);
        } finally {
          assert.equal(await server.stop(), 0);
        }
      });

      it('the outbox keeps the development senders’ messages in the database, newest first, and every instance shows them', async () => {
        const env = { W3KIT_DATA_DIR: dir, DATABASE_URL: database.url, PUBLIC_URL: 'http://127.0.0.1:8080', LOG_LEVEL: 'warn' };
        const seed = JSON.parse(run(['dev', 'seed', '--json'], env).stdout) as Seed;
        const [one, two] = [await start(env), await start(env)];
        try {
          const sent = await fetch(`${one.url}/rest/v1/verify/email/step1`, { method: 'POST', headers: { ...json, ...bearer(seed.user.access_token) }, body: '{}' });
          assert.equal(sent.status, 200, await sent.clone().text());
          const { tmp_token } = ((await sent.json()) as { result: { tmp_token: string } }).result;
          const phone = await fetch(`${one.url}/rest/v1/verify/phone/step1`, {
            method: 'POST',
            headers: { ...json, ...bearer(seed.user.access_token) },
            body: JSON.stringify({ phone_number: '+14155552671' }),
          });
          assert.equal(phone.status, 200, await phone.clone().text());
          // read on the other instance: the outbox is the database's, not a process's
          const listed = await fetch(`${two.url}/dev/outbox.json`);
          assert.equal(listed.status, 200);
          assert.equal(listed.headers.get('cache-control'), 'no-store');
          const { messages } = (await listed.json()) as { messages: { channel: string; to: string; code: string | null; text: string }[] };
          assert.deepEqual(
            messages.map((m) => [m.channel, m.to]),
            [
              ['sms', '+14155552671'],
              ['email', `user-${seed.user.login_id.slice(5)}@example.com`],
            ],
          );
          assert.match(messages[1]!.code ?? '', /^\d{6}$/);
          assert.ok(messages[1]!.text.includes(messages[1]!.code!));
          // the code shown is the one that was issued: it verifies the email
          const checked = await fetch(`${two.url}/rest/v1/verify/email/step2`, {
            method: 'POST',
            headers: { ...json, ...bearer(seed.user.access_token) },
            body: JSON.stringify({ tmp_token, code: messages[1]!.code }),
          });
          assert.deepEqual(await checked.json(), { status: 'ok', result: true, error: null });
          const page = await fetch(`${two.url}/dev/outbox`);
          assert.match(page.headers.get('content-type') ?? '', /text\/html/);
          assert.equal(page.headers.get('x-frame-options'), 'DENY');
          const html = await page.text();
          assert.ok(html.indexOf('+14155552671') < html.indexOf(`user-${seed.user.login_id.slice(5)}`), 'newest first on the page too');
          assert.ok(html.includes(`<b class="code">${messages[1]!.code}</b>`));
        } finally {
          await Promise.all([one.stop(), two.stop()]);
        }
      });

      it('the outbox keeps only the newest W3KIT_DEV_OUTBOX_KEEP messages', async () => {
        const handle: DatabaseHandle = createDatabase(database.url);
        try {
          await migrateToLatest(handle, { name: 'dev-outbox', migrations: devOutboxMigrations });
          const store = createKyselyOutboxStore(handle, 3);
          for (let i = 1; i <= 5; i++) await store.add({ channel: 'sms', to: `+1415555000${i}`, subject: null, text: `code 00000${i}` }, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
          assert.deepEqual(
            (await store.list(10)).map((m) => m.to),
            ['+14155550005', '+14155550004', '+14155550003'],
          );
        } finally {
          await handle.destroy();
        }
      });
    });
  }

  it('dev seed refuses production and says why', () => {
    const refused = run(['dev', 'seed'], productionEnv(dir));
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^w3kit: dev seed makes demo accounts with known secrets and runs in development only; this is production \(NODE_ENV=production\)\n/);
  });

  it('org verify-domain: audited; an unknown account is named; production needs --production-override and says so', () => {
    const dev = { W3KIT_DATA_DIR: join(dir, 'dev'), LOG_LEVEL: 'warn' };
    const unknown = run(['org', 'verify-domain', '--account', 'nobody'], dev);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^w3kit: No such account\.\n$/m);
    const prod = productionEnv(dir);
    const created = run(['org', 'create', '--name', 'Acme', '--domain', 'acme.example.com', '--email', 'ops@acme.example.com'], prod);
    assert.equal(created.status, 0, created.stderr);
    const { account_id } = JSON.parse(created.stdout) as { account_id: string };
    const refused = run(['org', 'verify-domain', '--account', account_id], prod);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^w3kit: org verify-domain skips the proof that the organization controls its domain; in production \(NODE_ENV=production\) pass --production-override/);
    const forced = run(['org', 'verify-domain', '--account', account_id, '--production-override'], prod);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(JSON.parse(forced.stdout), { account_id, domain: 'acme.example.com', already_verified: false });
    assert.match(forced.stderr, /production override: the domain is marked verified without a DNS check/);
    // production logs JSON lines: the audit line is one a collector can parse
    const audit = forced.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['audit'] === 'auth.domain.operator_override');
    assert.deepEqual(audit && [audit['accountId'], audit['domain'], audit['operator'], audit['mode'], audit['level']], [account_id, 'acme.example.com', 'w3kit org verify-domain', 'production', 40]);
    const again = run(['org', 'verify-domain', '--account', account_id, '--production-override'], prod);
    assert.equal(JSON.parse(again.stdout).already_verified, true);
  });

  it('production has no /dev/outbox, logs JSON and refuses LOG_FORMAT=pretty; development shows the banner', async () => {
    const prod = await start(productionEnv(dir));
    try {
      const outbox = await fetch(`${prod.url}/dev/outbox`);
      assert.equal(outbox.status, 404);
      assert.equal((await fetch(`${prod.url}/dev/outbox.json`)).status, 404);
      assert.doesNotMatch(prod.output(), /╔|DEVELOPMENT MODE/);
    } finally {
      await prod.stop();
    }
    assert.throws(
      () => loadServerConfig({ ...productionEnv(dir), LOG_FORMAT: 'pretty' }, dir),
      (e: EnvConfigError) => e instanceof EnvConfigError && e.problems.includes('LOG_FORMAT: pretty is for development; production logs JSON lines'),
    );
    assert.throws(
      () => loadServerConfig({ LOG_FORMAT: 'colour', W3KIT_DEV_OUTBOX_KEEP: '0', W3KIT_DATA_DIR: dir }, dir),
      (e: EnvConfigError) => e.problems.includes('LOG_FORMAT: "colour" is not one of pretty, json') && e.problems.includes('W3KIT_DEV_OUTBOX_KEEP: "0" is not an integer of at least 1'),
    );
    const dev = await start({ W3KIT_DATA_DIR: join(dir, 'dev') });
    try {
      assert.match(dev.output(), /╔═+╗\n║ DEVELOPMENT MODE: never expose this server\./);
      assert.match(dev.output(), /║ {3}http:\/\/127\.0\.0\.1:\d+\/dev\/outbox +║/);
      assert.match(dev.output(), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}w3kit standalone server started {2}port=\d+/m);
    } finally {
      await dev.stop();
    }
  });

  it('the readable console line: time, level, message, then the fields', () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 12, 0, 1, 5), pid: 1, hostname: 'h', name: 'w3kit', msg: 'careful', to: '+1 415', n: 3 });
    assert.equal(prettyLine(line, false), '12:00:01.005 WARN  careful  to="+1 415" n=3\n');
    assert.equal(prettyLine('not json', false), 'not json');
  });
});
