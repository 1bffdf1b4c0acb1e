import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, mountedApp, testDatabases, type KitMount, type TestApp, type TestDatabase } from '@w3kit/core/testing';
import { computeAddress, getAddress, SigningKey, verifyMessage, verifyTypedData } from 'ethers';
import request from 'supertest';
import { authKit, createEndUser, createOrganization, emailInbox, verifyEmailThroughApi } from './support.js';

/** The envelope of a Web3Connect error, with the code it must carry. */
function expectEnvelopeError(body: Record<string, unknown>, code: string): void {
  assert.equal(body['status'], 'error');
  assert.equal(body['result'], null);
  assert.equal((body['error'] as { code: string }).code, code);
}

function jwkToAddress(jwk: { x: string; y: string }): string {
  const hex = `0x04${Buffer.from(jwk.x, 'base64url').toString('hex')}${Buffer.from(jwk.y, 'base64url').toString('hex')}`;
  return computeAddress(hex);
}

/** The account and token endpoints over HTTP, with the kit served at `mount`. */
export function accountsSuite(mount: KitMount): void {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      const inbox = emailInbox();

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await authKit(db.url, {}, { services: { emailSender: inbox.sender }, config: { mountPath: mount.mountPath } });
        app = mountedApp(mount, kit);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      describe('auth: Finenex password login (POST /v2/auth/auth-user)', () => {
        it('returns the documented body with a token that opens my_info', async () => {
          const user = await createEndUser(kit);
          const res = await request(app.callback()).post('/v2/auth/auth-user').send({ userType: 'customer', id: user.loginId, password: user.password });
          assert.equal(res.status, 200);
          assert.deepEqual(Object.keys(res.body), ['token', 'userId', 'name', 'telNo', 'email', 'imageUrl']);
          assert.equal(res.body.userId, user.loginId);
          assert.equal(res.body.name, 'Ada');
          assert.equal(res.body.telNo, '+14155550100');
          const me = await request(app.callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${res.body.token}`);
          assert.equal(me.body.result.account_id, user.account.id);
        });

        it('logs in by email too', async () => {
          const user = await createEndUser(kit);
          const res = await request(app.callback()).post('/v2/auth/auth-user').send({ id: user.account.email, password: user.password });
          assert.equal(res.status, 200);
        });

        it('answers an unknown id and a wrong password with the same 401 body', async () => {
          const user = await createEndUser(kit);
          const wrong = await request(app.callback()).post('/v2/auth/auth-user').send({ id: user.loginId, password: 'nope' });
          const unknown = await request(app.callback()).post('/v2/auth/auth-user').send({ id: 'nobody-here', password: 'nope' });
          assert.equal(wrong.status, 401);
          assert.equal(unknown.status, 401);
          assert.deepEqual(wrong.body, unknown.body);
          assert.deepEqual(wrong.body, { status: 401, error: 'Unauthorized', code: 'INVALID_CREDENTIALS', message: 'The id or password is wrong.', path: `${mount.mountPath}/v2/auth/auth-user` });
        });

        it('takes comparable time for an unknown id and a wrong password', async () => {
          // A realistic scrypt cost, so the hash dominates the request: were the dummy hash
          // missing, an unknown id would answer in a small fraction of the time.
          const slow = await authKit(db.url, {}, { config: { passwordHashCost: 14, mountPath: mount.mountPath } });
          try {
            const slowApp = mountedApp(mount, slow);
            const user = await createEndUser(slow);
            const time = async (id: string) => {
              const started = process.hrtime.bigint();
              const res = await request(slowApp.callback()).post('/v2/auth/auth-user').send({ id, password: 'nope' });
              assert.equal(res.status, 401);
              return Number(process.hrtime.bigint() - started) / 1e6;
            };
            const wrong: number[] = [];
            const unknown: number[] = [];
            for (let i = 0; i < 4; i++) {
              wrong.push(await time(user.loginId));
              unknown.push(await time(`ghost-${i}`));
            }
            // The fastest of each: noise (GC, the threadpool, other processes) only ever adds time,
            // while a missing dummy hash would make every unknown-id answer ~1 ms against ~30 ms.
            const fastest = (xs: number[]) => Math.min(...xs);
            assert.ok(fastest(unknown) > fastest(wrong) * 0.5, `unknown ${unknown.join(', ')} ms vs wrong ${wrong.join(', ')} ms`);
          } finally {
            await slow.close();
          }
        });

        it('extends a still-valid token and refuses an invalid one', async () => {
          const user = await createEndUser(kit);
          const res = await request(app.callback()).post('/v2/auth/auth-user').send({ token: user.token });
          assert.equal(res.status, 200);
          assert.notEqual(res.body.token, user.token);
          assert.equal(res.body.userId, user.loginId);
          const bad = await request(app.callback())
            .post('/v2/auth/auth-user')
            .send({ token: `${user.token}x` });
          assert.equal(bad.status, 401);
          assert.equal(bad.body.code, 'INVALID_TOKEN');
        });

        it('400 for missing or wrongly typed fields and malformed JSON, in the Finenex format', async () => {
          const missing = await request(app.callback()).post('/v2/auth/auth-user').send({ id: 'x' });
          assert.equal(missing.status, 401);
          assert.equal(missing.body.code, 'INVALID_CREDENTIALS');
          assert.deepEqual(missing.body.issues, ['password: is required.']);
          const typed = await request(app.callback())
            .post('/v2/auth/auth-user')
            .send({ id: 5, password: ['x'] });
          assert.equal(typed.status, 400);
          assert.deepEqual(typed.body.issues, ['id: not a valid string.', 'password: not a valid string.']);
          const json = await request(app.callback()).post('/v2/auth/auth-user').set('content-type', 'application/json').send('{"id":');
          assert.equal(json.status, 400);
          assert.equal(json.body.code, 'INVALID_JSON');
        });

        it('bounds password tries per login id (429)', async () => {
          const user = await createEndUser(kit);
          for (let i = 0; i < 10; i++) assert.equal((await request(app.callback()).post('/v2/auth/auth-user').send({ id: user.loginId, password: 'bad' })).status, 401);
          const limited = await request(app.callback()).post('/v2/auth/auth-user').send({ id: user.loginId, password: user.password });
          assert.equal(limited.status, 429);
          assert.equal(limited.body.code, 'RATE_LIMITED');
          assert.ok(Number(limited.headers['retry-after']) > 0);
        });
      });

      describe('auth: API key secret → access token', () => {
        it('exchanges a secret for an organization token; the secret is stored only hashed', async () => {
          const org = await createOrganization(kit);
          const res = await request(app.callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: org.apiKeySecret });
          assert.equal(res.status, 200);
          assert.equal(res.body.status, 'ok');
          assert.equal(res.body.error, null);
          const me = await request(app.callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${res.body.result}`);
          assert.equal(me.body.result.account_type, 'organization');
          const rows = await kit.services.db.withTables<{ auth_api_keys: { secret_hash: string } }>().selectFrom('auth_api_keys').select('secret_hash').execute();
          assert.ok(rows.length > 0);
          assert.ok(rows.every((r) => !JSON.stringify(r).includes(org.apiKeySecret.slice(6))));
        });

        it('a rotated secret stops working at once; the new one works', async () => {
          const org = await createOrganization(kit);
          const fresh = await kit.services.apiKeyService.rotate(org.account.id);
          const old = await request(app.callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: org.apiKeySecret });
          assert.equal(old.status, 401);
          expectEnvelopeError(old.body, 'INVALID_API_KEY_SECRET');
          assert.equal((await request(app.callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: fresh })).status, 200);
        });

        it('401 for an unknown secret, 400 for a missing or wrongly typed one', async () => {
          const unknown = await request(app.callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: 'w3ksk_nope' });
          assert.equal(unknown.status, 401);
          expectEnvelopeError(unknown.body, 'INVALID_API_KEY_SECRET');
          const missing = await request(app.callback()).post('/rest/v1/auth/account/access_token/refresh').send({});
          assert.equal(missing.status, 400);
          assert.deepEqual(missing.body.error.issues, ['api_key_secret: is required.']);
          const typed = await request(app.callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: 42 });
          assert.deepEqual(typed.body.error.issues, ['api_key_secret: not a valid string.']);
        });
      });

      describe('auth: my_info and public_info', () => {
        it('my_info has the documented claims and the ID wallet without private material', async () => {
          const user = await createEndUser(kit);
          const res = await request(app.callback()).get('/rest/v1/account/my_info').set('authorization', user.bearer);
          assert.equal(res.status, 200);
          const info = res.body.result;
          for (const claim of [
            'account_id',
            'oidc_issuer_url',
            'sub',
            'name',
            'given_name',
            'email',
            'email_verified',
            'phone_number',
            'phone_number_verified',
            'account_type',
            'domain',
            'domain_verified',
            'id_wallet',
            'created_at',
            'updated_at',
          ]) {
            assert.ok(claim in info, `my_info has ${claim}`);
          }
          assert.equal(info.id_wallet.address, user.account.wallet!.address);
          assert.equal(info.id_wallet.address, getAddress(info.id_wallet.address), 'checksummed');
          assert.deepEqual(Object.keys(info.id_wallet.jwk_encrypted).sort(), ['crv', 'kty', 'x', 'y']);
          assert.equal(jwkToAddress(info.id_wallet.jwk_encrypted), info.id_wallet.address);
          assert.doesNotMatch(JSON.stringify(res.body), /"d"|private|w3e1\./);
        });

        it('the Bearer scheme name is case-insensitive; another scheme is 401 INVALID_TOKEN', async () => {
          const user = await createEndUser(kit);
          for (const scheme of ['bearer', 'BEARER', 'Bearer  ']) {
            const res = await request(app.callback()).get('/rest/v1/account/my_info').set('authorization', `${scheme} ${user.token}`);
            assert.equal(res.status, 200, `${scheme}: ${JSON.stringify(res.body)}`);
          }
          const basic = await request(app.callback()).get('/rest/v1/account/my_info').set('authorization', `Basic ${user.token}`);
          assert.equal(basic.status, 401);
          assert.equal(basic.body.error.code, 'INVALID_TOKEN');
        });

        it('public_info returns the address and the public key as a JWK, whatever the address casing', async () => {
          const user = await createEndUser(kit);
          const other = await createEndUser(kit);
          const address = user.account.wallet!.address;
          const res = await request(app.callback()).get(`/rest/v1/account/id_wallet/${address.toLowerCase()}/public_info`).set('authorization', other.bearer);
          assert.equal(res.status, 200);
          assert.equal(res.body.result.id_wallet_address, address);
          assert.equal(res.body.result.id_wallet_public_key_jwk.crv, 'secp256k1');
          assert.equal(jwkToAddress(res.body.result.id_wallet_public_key_jwk), address);
        });

        it('404 for an unknown wallet, 400 for a malformed address, 401 without a token', async () => {
          const user = await createEndUser(kit);
          const unknown = await request(app.callback())
            .get(`/rest/v1/account/id_wallet/0x${'1'.repeat(40)}/public_info`)
            .set('authorization', user.bearer);
          assert.equal(unknown.status, 404);
          expectEnvelopeError(unknown.body, 'WALLET_NOT_FOUND');
          const malformed = await request(app.callback()).get('/rest/v1/account/id_wallet/0x123/public_info').set('authorization', user.bearer);
          assert.equal(malformed.status, 400);
          assert.deepEqual(malformed.body.error.issues, ['params.address: has an invalid format.']);
          const anonymous = await request(app.callback()).get(`/rest/v1/account/id_wallet/${user.account.wallet!.address}/public_info`);
          assert.equal(anonymous.status, 401);
          expectEnvelopeError(anonymous.body, 'UNAUTHENTICATED');
        });
      });

      describe('auth: end-user import', () => {
        it('an organization imports an end user by email and gets the ID wallet address', async () => {
          const org = await createOrganization(kit);
          const user = await createEndUser(kit);
          // import finds verified emails only (import.test.ts)
          await verifyEmailThroughApi(app.callback(), user.bearer, inbox, user.account.email!);
          const res = await request(app.callback()).post('/rest/v1/account/import').set('authorization', org.bearer).send({ email: user.account.email!.toUpperCase() });
          assert.equal(res.status, 200);
          assert.deepEqual(res.body, { status: 'ok', result: { email: user.account.email, id_wallet_address: user.account.wallet!.address }, error: null });
          assert.equal(await kit.services.accountStore.isAssociated(org.account.id, user.account.id), true);
        });

        it('403 for an end user, 404 for an unknown email, 400 for a bad email, 401 without a token', async () => {
          const user = await createEndUser(kit);
          const org = await createOrganization(kit);
          const forbidden = await request(app.callback()).post('/rest/v1/account/import').set('authorization', user.bearer).send({ email: user.account.email });
          assert.equal(forbidden.status, 403);
          expectEnvelopeError(forbidden.body, 'ORGANIZATION_ONLY');
          const unknown = await request(app.callback()).post('/rest/v1/account/import').set('authorization', org.bearer).send({ email: 'nobody@example.com' });
          assert.equal(unknown.status, 404);
          expectEnvelopeError(unknown.body, 'ACCOUNT_NOT_FOUND');
          const bad = await request(app.callback()).post('/rest/v1/account/import').set('authorization', org.bearer).send({ email: 'not-an-email' });
          assert.equal(bad.status, 400);
          assert.deepEqual(bad.body.error.issues, ['email: has an invalid format.']);
          const anonymous = await request(app.callback()).post('/rest/v1/account/import').send({ email: user.account.email });
          assert.equal(anonymous.status, 401);
        });
      });

      describe('auth: access tokens', () => {
        it('refuses alg:none, HS256 signed with the public key, a foreign key, a tampered payload and a malformed header', async () => {
          const user = await createEndUser(kit);
          const [header, payload] = user.token.split('.') as [string, string, string];
          const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
          const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
          const jwks = (await request(app.callback()).get('/.well-known/jwks.json')).body;
          const { createHmac, generateKeyPairSync, createSign } = await import('node:crypto');
          const hs = `${b64({ alg: 'HS256', typ: 'JWT', kid: jwks.keys[0].kid })}.${payload}`;
          const hsToken = `${hs}.${createHmac('sha256', JSON.stringify(jwks.keys[0])).update(hs).digest('base64url')}`;
          const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' });
          const fs = `${header}.${payload}`;
          const foreignSig = createSign('sha256').update(fs).sign({ key: foreign.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
          const forged = [
            `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
            hsToken,
            `${fs}.${foreignSig}`,
            `${header}.${b64({ ...decoded, sub: 'someone-else' })}.${user.token.split('.')[2]}`,
            `${b64({ alg: 'ES256', typ: 'JWT' })}.${payload}.${user.token.split('.')[2]}`,
          ];
          for (const token of forged) {
            const res = await request(app.callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${token}`);
            assert.equal(res.status, 401, token.slice(0, 30));
            expectEnvelopeError(res.body, 'INVALID_TOKEN');
          }
          for (const header of ['Basic abc', 'Bearer', `Bearer ${user.token} extra`, `bearer-${user.token}`]) {
            const res = await request(app.callback()).get('/rest/v1/account/my_info').set('authorization', header);
            assert.equal(res.status, 401, header);
            expectEnvelopeError(res.body, 'INVALID_TOKEN');
          }
        });

        it('JWKS publishes the signing key, and tokens verify with it alone', async () => {
          const { createPublicKey, createVerify } = await import('node:crypto');
          const user = await createEndUser(kit);
          const jwks = (await request(app.callback()).get('/.well-known/jwks.json')).body;
          const [header, payload, signature] = user.token.split('.') as [string, string, string];
          const kid = JSON.parse(Buffer.from(header, 'base64url').toString()).kid;
          const jwk = jwks.keys.find((k: { kid: string }) => k.kid === kid);
          assert.ok(jwk, 'the token’s kid is published');
          assert.equal(jwk.d, undefined, 'no private part');
          const ok = createVerify('sha256')
            .update(`${header}.${payload}`)
            .verify({ key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
          assert.equal(ok, true);
        });
      });

      describe('auth: ID wallets', () => {
        it('sign on the account’s behalf; signatures recover to the wallet address', async () => {
          const user = await createEndUser(kit);
          const address = user.account.wallet!.address;
          const message = await kit.services.accountDirectory.signMessage(user.account.id, 'hello');
          assert.equal(verifyMessage('hello', message), address);
          const typed = {
            domain: { name: 'w3kit', version: '1', chainId: 1 },
            types: { Token: [{ name: 'id', type: 'bytes32' }] },
            value: { id: `0x${'ab'.repeat(32)}` },
          };
          const signature = await kit.services.accountDirectory.signTypedData(user.account.id, typed);
          assert.equal(verifyTypedData(typed.domain, typed.types, typed.value, signature), address);
        });

        it('the private key is stored only encrypted, bound to its wallet', async () => {
          const user = await createEndUser(kit);
          const row = await kit.services.db
            .withTables<{ auth_accounts: { id: string; wallet_private_key: string; wallet_public_key: string } }>()
            .selectFrom('auth_accounts')
            .select(['wallet_private_key', 'wallet_public_key'])
            .where('id', '=', user.account.id)
            .executeTakeFirstOrThrow();
          assert.match(row.wallet_private_key, /^w3e1\./);
          assert.doesNotMatch(row.wallet_private_key, /^0x[0-9a-f]{64}$/);
          const other = await createEndUser(kit);
          assert.throws(() => kit.services.encryption.decrypt(row.wallet_private_key, `auth.id-wallet:${other.account.wallet!.address.toLowerCase()}`));
          const key = kit.services.encryption.decrypt(row.wallet_private_key, `auth.id-wallet:${user.account.wallet!.address.toLowerCase()}`).toString();
          assert.equal(new SigningKey(key).publicKey, row.wallet_public_key);
        });
      });
    });
  }

  describe('auth: token lifetime and key rotation', () => {
    for (const kind of testDatabases()) {
      describe(kind, () => {
        it('a token expires; a rotated key keeps verifying until retired; a second instance accepts both', async () => {
          const db = await createTestDatabase(kind);
          const clock = createManualClock(Date.now());
          const a = await authKit(db.url, { accessTokenTtlSeconds: 60 }, { services: { clock }, config: { mountPath: mount.mountPath } });
          const b = await authKit(db.url, { accessTokenTtlSeconds: 60 }, { services: { clock }, config: { mountPath: mount.mountPath } });
          try {
            const user = await createEndUser(a);
            const before = user.token;
            const { kid } = await a.services.tokenService.rotateSigningKey();
            const after = (await a.services.tokenService.issueAccessToken(user.account)).token;
            assert.equal(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid, kid);
            for (const kit of [a, b]) {
              for (const token of [before, after]) {
                const res = await request(mountedApp(mount, kit).callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${token}`);
                assert.equal(res.status, 200);
              }
            }
            const oldKid = JSON.parse(Buffer.from(before.split('.')[0]!, 'base64url').toString()).kid;
            await a.services.tokenService.retireSigningKey(oldKid);
            assert.equal((await request(mountedApp(mount, a).callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${before}`)).status, 401);
            clock.advance(61_000);
            const expired = await request(mountedApp(mount, b).callback()).get('/rest/v1/account/my_info').set('authorization', `Bearer ${after}`);
            assert.equal(expired.status, 401);
            assert.equal(expired.body.error.code, 'INVALID_TOKEN');
          } finally {
            await a.close();
            await b.close();
            await db.drop();
          }
        });

        it('two instances: a token from A works on B; a secret revoked on A fails on B', async () => {
          const db = await createTestDatabase(kind);
          const a = await authKit(db.url, {}, { config: { mountPath: mount.mountPath } });
          const b = await authKit(db.url, {}, { config: { mountPath: mount.mountPath } });
          try {
            const org = await createOrganization(a);
            const onB = await request(mountedApp(mount, b).callback()).get('/rest/v1/account/my_info').set('authorization', org.bearer);
            assert.equal(onB.status, 200);
            assert.equal(onB.body.result.account_id, org.account.id);
            assert.equal((await request(mountedApp(mount, b).callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: org.apiKeySecret })).status, 200);
            await a.services.apiKeyService.revokeAll(org.account.id);
            const revoked = await request(mountedApp(mount, b).callback()).post('/rest/v1/auth/account/access_token/refresh').send({ api_key_secret: org.apiKeySecret });
            assert.equal(revoked.status, 401);
          } finally {
            await a.close();
            await b.close();
            await db.drop();
          }
        });
      });
    }
  });
}
