import assert from 'node:assert/strict';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { createScryptHasher, type Kit, type SecretHasher } from '@w3kit/core';
import { appFor, createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { importJWK, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { authKit, createEndUser, createOrganization, highSTwin, P256_N } from './support.js';

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const part = (token: string, i: number) => JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString()) as Record<string, unknown>;
const claimsOf = (token: string) => part(token, 1) as { sid: string; exp: number; iat: number; sub: string };
const kidOf = (token: string) => part(token, 0)['kid'] as string;
const sOf = (token: string) => BigInt(`0x${Buffer.from(token.split('.')[2]!, 'base64url').subarray(32).toString('hex')}`);

const myInfo = (kit: Kit, token: string) => request(appFor(kit).callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${token}`);
const extend = (kit: Kit, token: string) => request(appFor(kit).callback()).post('/v2/auth/auth-user').send({ token });
const passwordLogin = (kit: Kit, id: string, password: string) => request(appFor(kit).callback()).post('/v2/auth/auth-user').send({ id, password });
const logout = (kit: Kit, token?: string) => {
  const req = request(appFor(kit).callback()).post('/v2/auth/logout');
  return token === undefined ? req : req.set('authorization', `Bearer ${token}`);
};
const revoke = (kit: Kit, token?: string) => {
  const req = request(appFor(kit).callback()).post('/rest/v1/auth/account/access_token/revoke');
  return token === undefined ? req : req.set('authorization', `Bearer ${token}`);
};
const exchange = (kit: Kit, secret: string) => request(appFor(kit).callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: secret });

/** A 401 in the Web3Connect envelope with this code. */
function expectEnvelope401(res: request.Response, code = 'INVALID_TOKEN'): void {
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.equal(res.body.status, 'error');
  assert.equal(res.body.result, null);
  assert.equal(res.body.error.code, code);
}

/** A 401 in the Finenex plain format with this code. */
function expectPlain401(res: request.Response, code = 'INVALID_TOKEN'): void {
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.equal(res.body.status, 401);
  assert.equal(res.body.error, 'Unauthorized');
  assert.equal(res.body.code, code);
}

for (const kind of testDatabases()) {
  describe(`auth sessions: lifetime, logout, revocation on every instance (${kind})`, () => {
    let db: TestDatabase;
    let clock: ManualClock;
    // two instances on one database, as behind a load balancer
    let a: Kit;
    let b: Kit;

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      // a 10-day token, so the default 30-day session is reached in three extensions
      a = await authKit(db.url, { accessTokenTtlSeconds: 10 * 86_400 }, { services: { clock } });
      b = await authKit(db.url, { accessTokenTtlSeconds: 10 * 86_400 }, { services: { clock } });
    });
    after(async () => {
      await a.close();
      await b.close();
      await db.drop();
    });

    it('an extended token keeps its session and none reaches past 30 days from the sign-in (the default)', async () => {
      const user = await createEndUser(a);
      const signIn = clock.now().getTime();
      const first = await passwordLogin(a, user.loginId, user.password);
      assert.equal(first.status, 200);
      const sid = claimsOf(first.body.token).sid;
      assert.equal(typeof sid, 'string');
      let token = first.body.token as string;
      for (const [kit, day] of [
        [b, 9],
        [a, 18],
        [b, 27],
      ] as const) {
        clock.set(signIn + day * DAY);
        const res = await extend(kit, token);
        assert.equal(res.status, 200, `extension on day ${day}`);
        assert.equal(claimsOf(res.body.token).sid, sid, 'the same session');
        assert.equal(res.body.userId, user.loginId);
        token = res.body.token;
      }
      // day 27 + a 10-day TTL would be day 37: the token ends with its session instead
      assert.equal(claimsOf(token).exp, Math.floor((signIn + 30 * DAY) / 1000));
      assert.equal((await myInfo(a, token)).status, 200);
      clock.set(signIn + 30 * DAY + SECOND);
      expectPlain401(await extend(b, token));
      expectEnvelope401(await myInfo(a, token));
    });

    it('sessionLifetimeSeconds sets the absolute lifetime', async () => {
      const short = await authKit(db.url, { accessTokenTtlSeconds: 3600, sessionLifetimeSeconds: 5400 }, { services: { clock } });
      try {
        const user = await createEndUser(short);
        const signIn = clock.now().getTime();
        clock.set(signIn + 50 * 60 * SECOND);
        const extended = await extend(short, user.token);
        assert.equal(extended.status, 200);
        assert.equal(claimsOf(extended.body.token).exp, Math.floor((signIn + 5400 * SECOND) / 1000));
        clock.set(signIn + 5400 * SECOND);
        expectPlain401(await extend(short, extended.body.token));
        assert.throws(() => authKit(db.url, { sessionLifetimeSeconds: 0 }), /sessionLifetimeSeconds must be a positive integer/);
      } finally {
        await short.close();
      }
    });

    it('POST /v2/auth/logout ends the session on every instance at once, and only that session (Finenex format)', async () => {
      const user = await createEndUser(a);
      const first = (await passwordLogin(a, user.loginId, user.password)).body.token as string;
      const other = (await passwordLogin(b, user.loginId, user.password)).body.token as string;
      const extended = (await extend(a, first)).body.token as string;
      const res = await logout(a, extended);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { loggedOut: true });
      for (const token of [first, extended]) {
        expectEnvelope401(await myInfo(b, token));
        expectPlain401(await extend(b, token));
        expectPlain401(await logout(b, token));
      }
      assert.equal((await myInfo(b, other)).status, 200, 'another sign-in of the same account is not ended');
      expectPlain401(await logout(a), 'UNAUTHENTICATED');
      expectPlain401(await logout(a, 'not.a.token'));
    });

    it('POST /rest/v1/auth/account/access_token/revoke ends the session on every instance at once (envelope)', async () => {
      const org = await createOrganization(a);
      const token = (await exchange(a, org.apiKeySecret)).body.result as string;
      assert.equal((await myInfo(a, token)).status, 200);
      const res = await revoke(b, token);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok', result: true, error: null });
      expectEnvelope401(await myInfo(a, token));
      expectEnvelope401(await revoke(a, token));
      expectEnvelope401(await revoke(a), 'UNAUTHENTICATED');
      assert.equal((await myInfo(a, org.token)).status, 200, 'the organization’s other session stays');
    });

    it('rotating the API key secret ends every session made from the old secret, on every instance', async () => {
      const org = await createOrganization(a);
      const minted = (await exchange(a, org.apiKeySecret)).body.result as string;
      const extended = (await extend(b, minted)).body.token as string;
      assert.equal((await myInfo(b, minted)).status, 200);
      const fresh = await a.services.apiKeyService.rotate(org.account.id);
      expectEnvelope401(await myInfo(b, minted));
      expectEnvelope401(await myInfo(a, extended));
      expectPlain401(await extend(b, minted));
      const next = (await exchange(b, fresh)).body.result as string;
      assert.equal((await myInfo(a, next)).status, 200);
      // a session that did not come from a secret (a password sign-in) is not the secret's to end
      assert.equal((await myInfo(b, org.token)).status, 200);
    });

    it('a password change ends the account’s other sessions on every instance; the caller’s stays', async () => {
      const user = await createEndUser(a);
      const mine = (await passwordLogin(a, user.loginId, user.password)).body.token as string;
      const elsewhere = (await passwordLogin(b, user.loginId, user.password)).body.token as string;
      const result = await a.services.accountService.changePassword(user.account.id, 'a brand new passphrase', { keepSessionId: claimsOf(mine).sid });
      assert.deepEqual(result, { sessionsRevoked: 2 }); // `elsewhere` and the token the test support issued
      assert.equal((await myInfo(b, mine)).status, 200);
      expectEnvelope401(await myInfo(b, elsewhere));
      expectEnvelope401(await myInfo(a, user.token));
      expectPlain401(await passwordLogin(b, user.loginId, user.password), 'INVALID_CREDENTIALS');
      const fresh = await passwordLogin(b, user.loginId, 'a brand new passphrase');
      assert.equal(fresh.status, 200);
      // an operator's reset (the CLI) keeps none
      assert.deepEqual(await b.services.accountService.changePassword(user.account.id, 'yet another passphrase'), { sessionsRevoked: 2 });
      expectEnvelope401(await myInfo(a, mine));
      expectEnvelope401(await myInfo(a, fresh.body.token));
      await assert.rejects(a.services.accountService.changePassword(user.account.id, 'short'), /at least 8 characters/);
      await assert.rejects(a.services.accountService.changePassword('00000000-0000-0000-0000-000000000000', 'long enough pass'), { code: 'ACCOUNT_NOT_FOUND' });
    });

    it('a password sign-in that races a password change keeps no session', async () => {
      // The sign-in checks the old password, the change lands (new hash, sessions revoked),
      // then the sign-in would open its session: it must not outlive the change.
      const real = createScryptHasher(10);
      let gate: { reached: () => void; release: Promise<void> } | null = null;
      const hasher: SecretHasher = {
        hash: (secret) => real.hash(secret),
        needsRehash: (stored) => real.needsRehash(stored),
        async verify(secret, stored) {
          const ok = await real.verify(secret, stored);
          const held = gate;
          gate = null;
          if (held) {
            held.reached();
            await held.release;
          }
          return ok;
        },
      };
      const gated = await authKit(db.url, {}, { services: { clock, secretHasher: hasher } });
      try {
        const user = await createEndUser(gated);
        let release!: () => void;
        const reached = new Promise<void>((resolve) => {
          gate = { reached: resolve, release: new Promise<void>((r) => (release = r)) };
        });
        const racing = passwordLogin(gated, user.loginId, user.password).then((res) => res);
        await reached;
        await b.services.accountService.changePassword(user.account.id, 'changed meanwhile');
        release();
        const res = await racing;
        expectPlain401(res, 'INVALID_CREDENTIALS');
        const live = await gated.services.db
          .withTables<{ auth_sessions: { account_id: string; revoked_at: number | null } }>()
          .selectFrom('auth_sessions')
          .select('account_id')
          .where('account_id', '=', user.account.id)
          .where('revoked_at', 'is', null)
          .execute();
        assert.deepEqual(live, []);
      } finally {
        await gated.close();
      }
    });

    it('a token without a session (as issued before sessions existed) is refused', async () => {
      const user = await createEndUser(a);
      const kid = kidOf(user.token);
      const row = await a.services.db
        .withTables<{ auth_signing_keys: { kid: string; private_jwk: string } }>()
        .selectFrom('auth_signing_keys')
        .select('private_jwk')
        .where('kid', '=', kid)
        .executeTakeFirstOrThrow();
      const key = await importJWK(JSON.parse(a.services.encryption.decrypt(row.private_jwk, `auth.signing-key:${kid}`).toString('utf8')) as JWK, 'ES256');
      const now = Math.floor(clock.now().getTime() / 1000);
      let legacy = await new SignJWT({ account_type: 'end_user' })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(a.config.publicUrl)
        .setAudience('w3kit')
        .setSubject(user.account.id)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(key);
      if (sOf(legacy) > P256_N >> 1n) legacy = highSTwin(legacy); // low-S, so only the missing sid is wrong
      expectEnvelope401(await myInfo(a, legacy));
      expectPlain401(await extend(a, legacy));
    });

    it('housekeeping deletes the sessions that ended', async () => {
      const user = await createEndUser(a);
      const sessions = () =>
        a.services.db.withTables<{ auth_sessions: { id: string; account_id: string } }>().selectFrom('auth_sessions').select('id').where('account_id', '=', user.account.id).execute();
      assert.equal((await sessions()).length, 1);
      const saved = clock.now().getTime();
      clock.set(saved + 30 * DAY + SECOND);
      await a.runHousekeeping();
      assert.deepEqual(await sessions(), []);
      clock.set(saved);
    });
  });

  describe(`auth sessions: low-S ES256 tokens only (${kind})`, () => {
    let db: TestDatabase;
    let kit: Kit;
    before(async () => {
      db = await createTestDatabase(kind);
      kit = await authKit(db.url);
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    it('every issued ES256 token has a low s', async () => {
      const user = await createEndUser(kit);
      for (let i = 0; i < 40; i++) {
        const { token } = await kit.services.tokenService.issueAccessToken(user.account);
        assert.ok(sOf(token) <= P256_N >> 1n, `token ${i} has a high s`);
      }
    });

    it('the high-S twin of a real token verifies as ECDSA but is refused (401 in the envelope and in the Finenex format)', async () => {
      const user = await createEndUser(kit);
      const token = (await passwordLogin(kit, user.loginId, user.password)).body.token as string;
      const twin = highSTwin(token);
      const jwks = (await request(appFor(kit).callback()).get('/.well-known/jwks.json')).body as { keys: (JsonWebKey & { kid: string })[] };
      const jwk = jwks.keys.find((k) => k.kid === kidOf(token))!;
      const [header, payload, signature] = twin.split('.') as [string, string, string];
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
      assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url')), 'the twin is a valid signature');
      expectEnvelope401(await myInfo(kit, twin));
      expectPlain401(await extend(kit, twin));
      expectPlain401(await logout(kit, twin));
      assert.equal((await myInfo(kit, token)).status, 200, 'the token itself still works');
    });
  });

  describe(`auth sessions: retiring a signing key (${kind})`, () => {
    it('a retired key stops verifying at once on its instance and within 5 s on the others; the signing key, a retired or unknown one cannot be retired', async () => {
      const db = await createTestDatabase(kind);
      const clock = createManualClock(Date.now());
      const a = await authKit(db.url, {}, { services: { clock } });
      const b = await authKit(db.url, {}, { services: { clock } });
      try {
        const user = await createEndUser(a);
        const oldKid = kidOf(user.token);
        const { kid: newKid } = await a.services.tokenService.rotateSigningKey();
        const fresh = (await a.services.tokenService.issueAccessToken(user.account)).token;
        assert.equal((await myInfo(b, user.token)).status, 200);
        await a.services.tokenService.retireSigningKey(oldKid);
        expectEnvelope401(await myInfo(a, user.token));
        clock.advance(5 * SECOND + 1);
        expectEnvelope401(await myInfo(b, user.token));
        expectPlain401(await extend(b, user.token));
        assert.equal((await myInfo(b, fresh)).status, 200);
        const listed = (await request(appFor(b).callback()).get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
        assert.deepEqual(listed, [newKid]);
        await assert.rejects(a.services.tokenService.retireSigningKey(oldKid), /no unretired signing key has kid/);
        await assert.rejects(a.services.tokenService.retireSigningKey('no-such-kid'), /no unretired signing key has kid/);
        await assert.rejects(a.services.tokenService.retireSigningKey(newKid), /signs new tokens: rotate first/);
      } finally {
        await a.close();
        await b.close();
        await db.drop();
      }
    });
  });
}
