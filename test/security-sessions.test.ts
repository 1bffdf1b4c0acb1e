import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';
import request from 'supertest';
import { highSTwin } from '../packages/auth/test/support.js';
import { endUserWithLogin, startFullKit, verifiedOrganization, type FullKit } from './full-kit.js';
import { errorShapeProblem } from './hostile-requests.js';

/**
 * Sessions across the whole kit (item 4 of the security issue): a revoked session and a
 * high-S twin of a token are refused by every plugin's routes in their wire formats, and the
 * operator's CLI commands that end sessions (`keys retire`, `user set-password`,
 * `org rotate-secret`) reach a running server. Deeper coverage: packages/auth/test/sessions.test.ts.
 */

const CLI = resolve(import.meta.dirname, '../examples/standalone-server/dist/cli.js');
const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('security: sessions across the kit', () => {
  it('SESSION_LIFETIME_SECONDS sets the absolute session lifetime; a malformed value is refused by name', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'w3kit-sessions-env-'));
    try {
      const env = { W3KIT_DATA_DIR: dataDir };
      assert.equal(loadServerConfig(env, dataDir).sessionLifetimeSeconds, 30 * 86_400);
      assert.equal(loadServerConfig({ ...env, SESSION_LIFETIME_SECONDS: '86400' }, dataDir).sessionLifetimeSeconds, 86_400);
      for (const bad of ['0', '-5', '1.5', '30d', '']) {
        assert.throws(
          () => loadServerConfig({ ...env, SESSION_LIFETIME_SECONDS: bad }, dataDir),
          (error: unknown) => error instanceof EnvConfigError && error.problems.includes(`SESSION_LIFETIME_SECONDS: "${bad}" is not a number of seconds (a positive integer)`),
          bad,
        );
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  for (const kind of testDatabases()) {
    describe(kind, function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let clock: ManualClock;
      let full: FullKit;
      let dataDir: string;
      const api = () => request(full.url);

      /** Runs the operator CLI against the running server's database. */
      function cli(...args: string[]) {
        const env = { PATH: process.env['PATH'], DATABASE_URL: db.url, W3KIT_MASTER_KEY: full.kit.config.masterKey, PUBLIC_URL: full.url, W3KIT_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
        return spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
      }

      /** 401 INVALID_TOKEN on an nft route (envelope) and on a did route (Finenex), each in its format. */
      async function expectRefusedEverywhere(token: string) {
        const nft = await api().get('/rest/v1/nft/minted_by_me').set('authorization', `Bearer ${token}`);
        assert.equal(nft.status, 401);
        assert.deepEqual(nft.body, { status: 'error', result: null, error: { code: 'INVALID_TOKEN', message: 'The access token is invalid or expired.' } });
        const did = await api().post('/v2/did/revoke-vc').set('authorization', `Bearer ${token}`).send({ credentialId: 'urn:uuid:none' });
        assert.equal(did.status, 401);
        assert.equal(did.body.code, 'INVALID_TOKEN');
        assert.equal(errorShapeProblem('finenex', 401, did.body), null);
      }

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        full = await startFullKit(db.url, { clock });
        dataDir = mkdtempSync(join(tmpdir(), 'w3kit-sessions-cli-'));
      });
      after(async () => {
        await full?.close();
        await db?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      });

      it('a logged-out session is refused by the nft and did routes, in their formats', async () => {
        const org = await verifiedOrganization(full.kit);
        const minted = (await api().post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: org.apiKeySecret })).body.result as string;
        assert.equal((await api().get('/rest/v1/nft/minted_by_me').set('authorization', `Bearer ${minted}`)).status, 200);
        assert.deepEqual((await api().post('/v2/auth/logout').set('authorization', `Bearer ${minted}`)).body, { loggedOut: true });
        await expectRefusedEverywhere(minted);
        assert.equal((await api().get('/rest/v1/nft/minted_by_me').set('authorization', org.bearer)).status, 200, 'another session of the organization');
      });

      it('the high-S twin of a live token is refused by the nft and did routes', async () => {
        const org = await verifiedOrganization(full.kit);
        await expectRefusedEverywhere(highSTwin(org.token));
        assert.equal((await api().get('/rest/v1/nft/minted_by_me').set('authorization', org.bearer)).status, 200);
      });

      it('`w3kit keys retire <kid>` stops a rotated key verifying on a running server; the signing key and unknown kids are refused', async () => {
        const user = await endUserWithLogin(full.kit);
        const oldKid = kidOf(user.token);
        const rotated = cli('keys', 'rotate');
        assert.equal(rotated.status, 0, rotated.stderr);
        const newKid = (JSON.parse(rotated.stdout) as { kid: string }).kid;
        const retired = cli('keys', 'retire', oldKid);
        assert.equal(retired.status, 0, retired.stderr);
        assert.deepEqual(JSON.parse(retired.stdout), { retired: oldKid });
        clock.advance(5_001); // past the server's key cache
        await expectRefusedEverywhere(user.token);
        const fresh = await api().post('/v2/auth/auth-user').send({ id: user.loginId, password: user.password });
        assert.equal(kidOf(fresh.body.token), newKid);
        assert.equal((await api().get('/rest/v1/account/my_info').set('authorization', `Bearer ${fresh.body.token}`)).status, 200);

        const again = cli('keys', 'retire', oldKid);
        assert.equal(again.status, 1);
        assert.match(again.stderr, /^w3kit: no unretired signing key has kid /);
        // a kid is base64url: one in 64 begins with "-", and is a kid, not an option
        const dashed = cli('keys', 'retire', '-Xnot-a-kid');
        assert.equal(dashed.status, 1, dashed.stderr);
        assert.match(dashed.stderr, /^w3kit: no unretired signing key has kid -Xnot-a-kid/);
        const signing = cli('keys', 'retire', newKid);
        assert.equal(signing.status, 1);
        assert.match(signing.stderr, /signs new tokens: rotate first/);
        const missing = cli('keys', 'retire');
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /keys retire needs exactly one <kid>/);
      });

      it('`w3kit user set-password` and `w3kit org rotate-secret` end the sessions they should on a running server', async () => {
        const user = await endUserWithLogin(full.kit);
        const changed = cli('user', 'set-password', '--id', user.loginId, '--password', 'an operator reset');
        assert.equal(changed.status, 0, changed.stderr);
        assert.deepEqual(JSON.parse(changed.stdout), { account_id: user.accountId, sessions_revoked: 1 });
        await expectRefusedEverywhere(user.token);
        assert.equal((await api().post('/v2/auth/auth-user').send({ id: user.loginId, password: 'an operator reset' })).status, 200);
        const unknown = cli('user', 'set-password', '--id', 'nobody-at-all', '--password', 'whatever it is');
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /no account has the login id or email "nobody-at-all"/);

        const org = await verifiedOrganization(full.kit);
        const minted = (await api().post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: org.apiKeySecret })).body.result as string;
        const rotated = cli('org', 'rotate-secret', '--account', org.accountId);
        assert.equal(rotated.status, 0, rotated.stderr);
        await expectRefusedEverywhere(minted);
        const next = await api()
          .post('/rest/v1/auth/account/access_token/refresh')
          .send({ api_key_secret: JSON.parse(rotated.stdout).api_key_secret });
        assert.equal(next.status, 200);
      });
    });
  }
});
