import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { appFor, createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { importJWK, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { authKit, createEndUser, highSTwin, P256_N } from './support.js';

// The token service's rules that a mutation run found untested: how often it reads the key list
// (the cost every authenticated request may force), forged kids, EdDSA tokens, the claims it
// writes, and the claims it insists on in a token signed with its own key.

type SigningKeyStore = Kit['services']['signingKeyStore'];

const SECOND = 1000;
const part = (token: string, i: number) => JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString()) as Record<string, unknown>;
const kidOf = (token: string) => part(token, 0)['kid'] as string;
const sOf = (token: string) => BigInt(`0x${Buffer.from(token.split('.')[2]!, 'base64url').subarray(32).toString('hex')}`);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const myInfo = (kit: Kit, token: string) => request(appFor(kit).callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${token}`);

/** A well-formed, low-S ES256 token naming a kid no key has (its signature is 64 zero bytes). */
const forgedKid = (kid: string) => `${b64({ alg: 'ES256', kid, typ: 'JWT' })}.${b64({ sub: 'x', sid: 'y', exp: 9_999_999_999, iat: 1 })}.${Buffer.alloc(64).toString('base64url')}`;

/** The kit's real signing key store, counting the reads of the key list. */
function countingStore(real: SigningKeyStore) {
  const counter = { reads: 0 };
  const store: SigningKeyStore = {
    insert: (key) => real.insert(key),
    listUnretired: () => {
      counter.reads++;
      return real.listUnretired();
    },
    markRotated: (kid, at) => real.markRotated(kid, at),
    retire: (kid, at) => real.retire(kid, at),
  };
  return { store, counter };
}

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; status?: number }) => error.code === 'INVALID_TOKEN' && error.status === 401);
}

function expectEnvelope401(res: request.Response): void {
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.equal(res.body.status, 'error');
  assert.equal(res.body.result, null);
  assert.equal(res.body.error.code, 'INVALID_TOKEN');
}

for (const kind of testDatabases()) {
  describe(`token service mutants: key cache and forged kids (${kind})`, () => {
    let db: TestDatabase;
    let clock: ManualClock;
    let a: Kit;
    let b: Kit;
    let counter: { reads: number };

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      a = await authKit(db.url, {}, { services: { clock } });
      const counting = countingStore(a.services.signingKeyStore);
      counter = counting.counter;
      // a second instance on the same database, whose key-list reads are counted
      b = await authKit(db.url, {}, { services: { clock, signingKeyStore: counting.store } });
    });
    after(async () => {
      await b.close();
      await a.close();
      await db.drop();
    });

    it('verifying reads the key list at most once per 5 s, one read for many parallel requests, and again when the clock goes back', async () => {
      const user = await createEndUser(b);
      clock.advance(5 * SECOND + 1);
      const start = counter.reads;
      await Promise.all(Array.from({ length: 8 }, () => b.services.tokenService.verifyAccessToken(user.token)));
      assert.equal(counter.reads, start + 1, 'one read for eight parallel verifications of a stale list');
      for (let i = 0; i < 5; i++) await b.services.tokenService.verifyAccessToken(user.token);
      clock.advance(5 * SECOND);
      await b.services.tokenService.verifyAccessToken(user.token);
      assert.equal(counter.reads, start + 1, 'no read while the list is 5 s old or younger');
      clock.advance(1);
      await b.services.tokenService.verifyAccessToken(user.token);
      assert.equal(counter.reads, start + 2, 'read again once older than 5 s');
      clock.advance(-1);
      await b.services.tokenService.verifyAccessToken(user.token);
      assert.equal(counter.reads, start + 3, 'a clock set back before the last read makes the list stale');
    });

    it('a token of a key another instance just rotated to verifies at once; the new key signs on every instance', async () => {
      await b.services.tokenService.verifyAccessToken((await createEndUser(b)).token); // b's list is fresh
      const { kid } = await a.services.tokenService.rotateSigningKey();
      const user = await createEndUser(a);
      assert.equal(kidOf(user.token), kid);
      assert.equal((await myInfo(b, user.token)).status, 200);
      clock.advance(5 * SECOND + 1);
      const other = await createEndUser(b);
      assert.equal(kidOf(other.token), kid, 'b signs with the newest key once it read the list');
      assert.equal((await myInfo(a, other.token)).status, 200);
    });

    it('signing reads the key list only when it is older than 5 s: an instance that only signs picks up a rotation elsewhere', async () => {
      await b.services.tokenService.verifyAccessToken((await createEndUser(b)).token); // b's list is fresh
      const start = counter.reads;
      const user = await createEndUser(b);
      assert.equal(counter.reads, start, 'no read to sign with a fresh list');
      const { kid } = await a.services.tokenService.rotateSigningKey();
      clock.advance(5 * SECOND + 1);
      const { token } = await b.services.tokenService.issueAccessToken(user.account);
      assert.equal(counter.reads, start + 1);
      assert.equal(kidOf(token), kid, 'b signs with the key a rotated to');
    });

    it('an unknown kid is looked up once, then refused without reading the database again; 1000 such kids are remembered, the oldest forgotten first', async () => {
      await b.services.tokenService.verifyAccessToken((await createEndUser(b)).token); // b's list is fresh
      const start = counter.reads;
      await expectInvalid(b.services.tokenService.verifyAccessToken(forgedKid('forged-once')));
      assert.equal(counter.reads, start + 1);
      await expectInvalid(b.services.tokenService.verifyAccessToken(forgedKid('forged-once')));
      expectEnvelope401(await myInfo(b, forgedKid('forged-once')));
      assert.equal(counter.reads, start + 1, 'a remembered miss reads nothing');

      for (let i = 0; i <= 1000; i++) await expectInvalid(b.services.tokenService.verifyAccessToken(forgedKid(`forged-${i}`)));
      const afterFill = counter.reads;
      assert.equal(afterFill, start + 1002, 'each new kid is one read');
      await expectInvalid(b.services.tokenService.verifyAccessToken(forgedKid('forged-1000')));
      await expectInvalid(b.services.tokenService.verifyAccessToken(forgedKid('forged-999')));
      assert.equal(counter.reads, afterFill, 'the newest misses are still remembered');
      await expectInvalid(b.services.tokenService.verifyAccessToken(forgedKid('forged-0')));
      assert.equal(counter.reads, afterFill + 1, 'the oldest miss was forgotten to keep the list at 1000');
    });
  });

  describe(`token service mutants: EdDSA tokens and the claims written (${kind})`, () => {
    it('EdDSA tokens all verify (the low-S rewrite is for ES256 only)', async () => {
      const db = await createTestDatabase(kind);
      const kit = await authKit(db.url, { signingAlgorithm: 'EdDSA' });
      try {
        const user = await createEndUser(kit);
        assert.equal(part(user.token, 0)['alg'], 'EdDSA');
        // about half of Ed25519 signatures have a second half above n/2 of P-256
        for (let i = 0; i < 24; i++) {
          const { token } = await kit.services.tokenService.issueAccessToken(user.account);
          assert.equal((await myInfo(kit, token)).status, 200, `EdDSA token ${i}`);
        }
      } finally {
        await kit.close();
        await db.drop();
      }
    });

    it('a token says who, for whom, when it was issued and when it ends, with a fresh jti every time', async () => {
      const db = await createTestDatabase(kind);
      const clock = createManualClock(Date.UTC(2030, 0, 1, 12, 0, 0, 700));
      const kit = await authKit(db.url, { accessTokenTtlSeconds: 600 }, { services: { clock } });
      try {
        const user = await createEndUser(kit);
        const header = part(user.token, 0);
        assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
        assert.equal(header['typ'], 'JWT');
        const claims = part(user.token, 1);
        assert.equal(claims['iss'], kit.config.publicUrl);
        assert.equal(claims['aud'], 'w3kit');
        assert.equal(claims['sub'], user.account.id);
        assert.equal(claims['account_type'], 'end_user');
        assert.equal(claims['iat'], Math.floor(clock.now().getTime() / 1000));
        assert.equal(claims['exp'], Math.floor(clock.now().getTime() / 1000) + 600);
        assert.match(String(claims['jti']), /^[A-Za-z0-9_-]{16,}$/);
        const extended = await kit.services.tokenService.extendAccessToken(user.token);
        const again = await kit.services.tokenService.extendAccessToken(user.token);
        assert.equal(extended.expiresAt.getTime(), clock.now().getTime() + 600 * SECOND);
        assert.equal(extended.accountId, user.account.id);
        assert.notEqual(part(extended.token, 1)['jti'], part(again.token, 1)['jti']);
        assert.notEqual(extended.token, again.token);
        assert.equal(part(again.token, 1)['sid'], claims['sid']);
        const verified = await kit.services.tokenService.verifyAccessToken(user.token);
        assert.deepEqual(verified, { accountId: user.account.id, accountType: 'end_user', sessionId: claims['sid'], expiresAt: new Date(claims['exp'] * 1000) });
      } finally {
        await kit.close();
        await db.drop();
      }
    });

    it('every ES256 token verifies: a low s written back keeps its leading zeros', async () => {
      const db = await createTestDatabase(kind);
      const kit = await authKit(db.url);
      try {
        const user = await createEndUser(kit);
        // about one high-S signature in 16 has an n − s below 2^252, a leading zero digit in hex
        for (let i = 0; i < 128; i++) {
          const { token } = await kit.services.tokenService.issueAccessToken(user.account);
          await kit.services.tokenService.verifyAccessToken(token);
        }
      } finally {
        await kit.close();
        await db.drop();
      }
    });

    it('a restarted instance keeps the one signing key instead of making another', async () => {
      const db = await createTestDatabase(kind);
      const first = await authKit(db.url);
      const second = await authKit(db.url);
      try {
        const keys = async (kit: Kit) => (await kit.services.tokenService.jwks()).keys.map((k) => k.kid);
        assert.equal((await keys(first)).length, 1);
        const [jwk] = (await first.services.tokenService.jwks()).keys;
        assert.equal(jwk!.use, 'sig');
        assert.equal(jwk!.alg, 'ES256');
        assert.deepEqual(await keys(second), await keys(first));
      } finally {
        await first.close();
        await second.close();
        await db.drop();
      }
    });
  });

  describe(`token service mutants: a token signed with the kit's own key (${kind})`, () => {
    let db: TestDatabase;
    let kit: Kit;
    let sign: (header: Record<string, unknown>, claims: Record<string, unknown>) => Promise<string>;
    let user: Awaited<ReturnType<typeof createEndUser>>;
    let good: Record<string, unknown>;

    before(async () => {
      db = await createTestDatabase(kind);
      kit = await authKit(db.url);
      user = await createEndUser(kit);
      const kid = kidOf(user.token);
      const record = (await kit.services.signingKeyStore.listUnretired()).find((k) => k.kid === kid)!;
      const key = await importJWK(JSON.parse(kit.services.encryption.decrypt(record.encryptedPrivateJwk, `auth.signing-key:${kid}`).toString('utf8')) as JWK, 'ES256');
      sign = async (header, claims) => {
        let token = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT', ...header }).sign(key);
        if (sOf(token) > P256_N >> 1n) token = highSTwin(token); // low-S, so only the claim under test is wrong
        return token;
      };
      good = part(user.token, 1);
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    it('verifies with every claim the kit writes (the control), refuses one missing sub, exp or iat, or another account type, issuer, audience or account', async () => {
      assert.equal((await myInfo(kit, await sign({}, good))).status, 200, 'the control token is good');
      const without = (name: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== name));
      const other = await createEndUser(kit);
      const bad: Record<string, Record<string, unknown>> = {
        'no sub': without('sub'),
        'no exp': without('exp'),
        'no iat': without('iat'),
        'account_type admin': { ...good, account_type: 'admin' },
        'no account_type': without('account_type'),
        'a numeric sid': { ...good, sid: 7 },
        'a session that does not exist': { ...good, sid: 'no-such-session' },
        'another issuer': { ...good, iss: 'https://evil.example' },
        'another audience': { ...good, aud: 'someone-else' },
        "another account with this account's session": { ...good, sub: other.account.id },
      };
      for (const [name, claims] of Object.entries(bad)) {
        const token = await sign({}, claims);
        const res = await myInfo(kit, token);
        assert.equal(res.status, 401, name);
        expectEnvelope401(res);
        await expectInvalid(kit.services.tokenService.verifyAccessToken(token));
      }
      expectEnvelope401(await myInfo(kit, await sign({ kid: undefined }, good)));
    });
  });
}
