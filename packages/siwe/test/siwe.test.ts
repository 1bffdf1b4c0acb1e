import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { serializeErc6492Signature } from 'viem/utils';
import { DAPP, message, newKey, ownerSignature, siweApi, siweKit, startTestChain, type TestChain } from './support.js';

type Body = Record<string, unknown>;

/** The per-IP rules out of the way of suites that send many sign-ins from one test client (the rate-limit suite tests them). */
const GENEROUS = { 'siwe.nonce': { limit: 10_000, windowSeconds: 60 }, 'siwe.verify': { limit: 10_000, windowSeconds: 60 } };

/** The Finenex error body of a siwe error: status, code, and the route's path. */
function assertError(res: request.Response, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const body = res.body as Body;
  assert.equal(body['status'], status);
  assert.equal(body['code'], code);
  assert.equal(typeof body['message'], 'string');
  assert.equal(body['path'], '/v2/auth/siwe/verify');
}

/** The address with the case of one letter flipped: mixed case, but not its EIP-55 checksum. */
function wrongChecksum(address: string): string {
  const i = address.slice(2).search(/[a-fA-F]/) + 2;
  const c = address[i]!;
  return `${address.slice(0, i)}${c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()}${address.slice(i + 1)}`;
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('siwe: Sign-In with Ethereum on a real chain (anvil)', function () {
      this.timeout(60_000);
      let chain: TestChain;
      let db: TestDatabase;
      let kit: Kit;
      let api: ReturnType<typeof siweApi>;
      const OFFLINE_CHAIN = 10; // allowed, but with no RPC endpoint: EOAs only
      const UNREACHABLE_CHAIN = 8453; // its RPC endpoint answers nothing

      before(async () => {
        chain = await startTestChain();
        db = await createTestDatabase(kind);
        kit = await siweKit(
          db.url,
          {
            allowedOrigins: [DAPP],
            chains: [{ chainId: chain.anvil.chainId, rpcUrl: chain.anvil.url }, { chainId: OFFLINE_CHAIN }, { chainId: UNREACHABLE_CHAIN, rpcUrl: 'http://127.0.0.1:1' }],
            signUp: true,
          },
          { config: { rateLimits: GENEROUS } },
        );
        api = siweApi(kit);
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
        await chain?.anvil.stop();
      });

      async function signedByKey(fields: Partial<Parameters<typeof message>[0]> = {}) {
        const key = newKey();
        const text = message({ address: key.address as `0x${string}`, nonce: await api.nonce(), chainId: chain.anvil.chainId, ...fields });
        return { key, message: text, signature: await key.signMessage(text) };
      }

      it('an externally owned account signs in (ecrecover) and gets a session token like password login', async () => {
        const signed = await signedByKey();
        const res = await api.verify({ message: signed.message, signature: signed.signature });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const body = res.body as Body;
        assert.equal(body['address'], signed.key.address);
        assert.equal(body['chainId'], chain.anvil.chainId);
        const claims = await kit.services.tokenService.verifyAccessToken(body['token'] as string);
        assert.equal(claims.accountType, 'end_user');
        const info = await request(api.app)
          .get('/rest/v1/account/my_info')
          .set('authorization', `Bearer ${body['token'] as string}`);
        assert.equal(info.status, 200);
        assert.equal((info.body as { result: Body }).result['account_id'], claims.accountId);
        // a second sign-in of the address is the same account, in a new session
        const text = message({ address: signed.key.address as `0x${string}`, nonce: await api.nonce(), chainId: chain.anvil.chainId });
        const again2 = { message: text, signature: await signed.key.signMessage(text) };
        const res2 = await api.verify(again2);
        assert.equal(res2.status, 200, JSON.stringify(res2.body));
        const claims2 = await kit.services.tokenService.verifyAccessToken((res2.body as Body)['token'] as string);
        assert.equal(claims2.accountId, claims.accountId);
        assert.notEqual(claims2.sessionId, claims.sessionId);
        // and logout ends it, as for password login
        const out = await request(api.app)
          .post('/v2/auth/logout')
          .set('authorization', `Bearer ${(res2.body as Body)['token'] as string}`)
          .send({});
        assert.equal(out.status, 200);
        await assert.rejects(kit.services.tokenService.verifyAccessToken((res2.body as Body)['token'] as string), { code: 'INVALID_TOKEN' });
      });

      it('a deployed smart-contract wallet signs in by EIP-1271 isValidSignature through the chain’s RPC endpoint', async () => {
        const owner = newKey();
        const wallet = (await chain.deployWallet(owner.address)) as `0x${string}`;
        const text = message({ address: wallet, nonce: await api.nonce(), chainId: chain.anvil.chainId });
        const res = await api.verify({ message: text, signature: ownerSignature(owner, text) });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal((res.body as Body)['address'], wallet);
      });

      it('a counterfactual wallet (not deployed) signs in by EIP-6492, and stays undeployed', async () => {
        const owner = newKey();
        const salt = `0x${randomBytes(32).toString('hex')}`;
        const wallet = (await chain.factory.getFunction('walletAddress')(owner.address, salt)) as `0x${string}`;
        assert.equal(await chain.provider.getCode(wallet), '0x');
        const text = message({ address: wallet, nonce: await api.nonce(), chainId: chain.anvil.chainId });
        const signature = serializeErc6492Signature({
          address: (await chain.factory.getAddress()) as `0x${string}`,
          data: chain.factory.interface.encodeFunctionData('deploy', [owner.address, salt]) as `0x${string}`,
          signature: ownerSignature(owner, text) as `0x${string}`,
        });
        const res = await api.verify({ message: text, signature });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal((res.body as Body)['address'], wallet);
        assert.equal(await chain.provider.getCode(wallet), '0x', 'verification ran in an eth_call, nothing was deployed');
        // the same wrapper around another key's signature does not verify
        const text2 = message({ address: wallet, nonce: await api.nonce(), chainId: chain.anvil.chainId });
        const forged = serializeErc6492Signature({
          address: (await chain.factory.getAddress()) as `0x${string}`,
          data: chain.factory.interface.encodeFunctionData('deploy', [owner.address, salt]) as `0x${string}`,
          signature: ownerSignature(newKey(), text2) as `0x${string}`,
        });
        assertError(await api.verify({ message: text2, signature: forged }), 401, 'SIWE_SIGNATURE_INVALID');
      });

      it('a signature by another key answers 401 SIWE_SIGNATURE_INVALID (EOA and EIP-1271 wallet alike)', async () => {
        const signed = await signedByKey();
        assertError(await api.verify({ message: signed.message, signature: await newKey().signMessage(signed.message) }), 401, 'SIWE_SIGNATURE_INVALID');
        const wallet = (await chain.deployWallet(newKey().address)) as `0x${string}`;
        const text = message({ address: wallet, nonce: await api.nonce(), chainId: chain.anvil.chainId });
        assertError(await api.verify({ message: text, signature: ownerSignature(newKey(), text) }), 401, 'SIWE_SIGNATURE_INVALID');
      });

      it('a smart-contract wallet on a chain without an RPC endpoint answers 401; one whose endpoint is down answers 503 SIWE_CHAIN_UNAVAILABLE', async () => {
        const owner = newKey();
        const wallet = (await chain.deployWallet(owner.address)) as `0x${string}`;
        const offline = message({ address: wallet, nonce: await api.nonce(), chainId: OFFLINE_CHAIN });
        assertError(await api.verify({ message: offline, signature: ownerSignature(owner, offline) }), 401, 'SIWE_SIGNATURE_INVALID');
        const down = message({ address: wallet, nonce: await api.nonce(), chainId: UNREACHABLE_CHAIN });
        const res = await api.verify({ message: down, signature: ownerSignature(owner, down) });
        assertError(res, 503, 'SIWE_CHAIN_UNAVAILABLE');
        assert.doesNotMatch(JSON.stringify(res.body), /127\.0\.0\.1:1|ECONNREFUSED|fetch/i, 'no library error reaches the client');
        // an EOA signs in on the offline chain: ecrecover needs no RPC
        const key = newKey();
        const eoa = message({ address: key.address as `0x${string}`, nonce: await api.nonce(), chainId: OFFLINE_CHAIN });
        assert.equal((await api.verify({ message: eoa, signature: await key.signMessage(eoa) })).status, 200);
      });

      it('an all-lower-case address signs in (wallets answer in lower case) and is answered checksummed', async () => {
        const key = newKey();
        const text = message({ address: key.address.toLowerCase() as `0x${string}`, nonce: await api.nonce(), chainId: chain.anvil.chainId });
        const res = await api.verify({ message: text, signature: await key.signMessage(text) });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal((res.body as Body)['address'], key.address);
      });

      it('a domain, scheme or URI that is not an allowed origin answers 401 SIWE_DOMAIN_NOT_ALLOWED', async () => {
        for (const fields of [{ domain: 'evil.example' }, { uri: 'https://evil.example/login' }, { scheme: 'http' }, { domain: 'dapp.example:8443' }]) {
          const signed = await signedByKey(fields);
          assertError(await api.verify({ message: signed.message, signature: signed.signature }), 401, 'SIWE_DOMAIN_NOT_ALLOWED');
        }
      });

      it('a chain that is not allowed answers 401 SIWE_CHAIN_NOT_ALLOWED', async () => {
        const signed = await signedByKey({ chainId: 5 });
        assertError(await api.verify({ message: signed.message, signature: signed.signature }), 401, 'SIWE_CHAIN_NOT_ALLOWED');
      });

      it('a replayed nonce, and one the server never issued, answer 401 SIWE_NONCE_INVALID', async () => {
        const signed = await signedByKey();
        const body = { message: signed.message, signature: signed.signature };
        assert.equal((await api.verify(body)).status, 200);
        assertError(await api.verify(body), 401, 'SIWE_NONCE_INVALID');
        const forged = await signedByKey({ nonce: randomBytes(16).toString('hex') });
        assertError(await api.verify({ message: forged.message, signature: forged.signature }), 401, 'SIWE_NONCE_INVALID');
      });

      it('two concurrent uses of one signed message: exactly one signs in', async () => {
        const signed = await signedByKey();
        const body = { message: signed.message, signature: signed.signature };
        const answers = await Promise.all([api.verify(body), api.verify(body), api.verify(body)]);
        assert.deepEqual(answers.map((r) => r.status).sort(), [200, 401, 401]);
      });

      it('an expired message answers 401 SIWE_MESSAGE_EXPIRED; one not valid yet 401 SIWE_MESSAGE_NOT_YET_VALID', async () => {
        const now = Date.now();
        for (const fields of [{ expirationTime: new Date(now - 1000) }, { issuedAt: new Date(now - 3600_000) }]) {
          const signed = await signedByKey(fields);
          assertError(await api.verify({ message: signed.message, signature: signed.signature }), 401, 'SIWE_MESSAGE_EXPIRED');
        }
        for (const fields of [{ notBefore: new Date(now + 600_000) }, { issuedAt: new Date(now + 600_000) }]) {
          const signed = await signedByKey(fields);
          assertError(await api.verify({ message: signed.message, signature: signed.signature }), 401, 'SIWE_MESSAGE_NOT_YET_VALID');
        }
        // the nonce of a message refused for its times is still good for a right one
        const nonce = await api.nonce();
        const key = newKey();
        const late = message({ address: key.address as `0x${string}`, nonce, chainId: chain.anvil.chainId, expirationTime: new Date(now - 1000) });
        assertError(await api.verify({ message: late, signature: await key.signMessage(late) }), 401, 'SIWE_MESSAGE_EXPIRED');
        const fine = message({ address: key.address as `0x${string}`, nonce, chainId: chain.anvil.chainId });
        assert.equal((await api.verify({ message: fine, signature: await key.signMessage(fine) })).status, 200);
      });

      it('a malformed message answers 400 SIWE_MESSAGE_MALFORMED, a bad body 400 in the Finenex format', async () => {
        const signed = await signedByKey();
        const broken = [
          'hello world',
          signed.message.replace(/\nNonce: .*/, ''),
          signed.message.replace(signed.key.address, wrongChecksum(signed.key.address)),
          signed.message.replace(/Issued At: .*/, 'Issued At: yesterday'),
          signed.message.replace('Version: 1', 'Version: 2'),
        ];
        for (const text of broken) {
          const res = await api.verify({ message: text, signature: signed.signature });
          assertError(res, 400, 'SIWE_MESSAGE_MALFORMED');
        }
        for (const body of [{ message: signed.message }, { message: signed.message, signature: 'not hex' }, { message: 42, signature: signed.signature }]) {
          const res = await api.verify(body);
          assert.equal(res.status, 400, JSON.stringify(res.body));
          assert.equal((res.body as Body)['status'], 400);
          assert.ok(Array.isArray((res.body as Body)['issues']));
        }
        const json = await request(api.app).post('/v2/auth/siwe/verify').set('content-type', 'application/json').send('{"message":');
        assert.equal(json.status, 400);
        // the nonce of all those is unused: the right message still signs in
        assert.equal((await api.verify({ message: signed.message, signature: signed.signature })).status, 200);
      });

      it('nonces are random, alphanumeric, 32 characters, and each one is stored only as a digest', async () => {
        const nonces = await Promise.all([api.nonce(), api.nonce(), api.nonce()]);
        assert.equal(new Set(nonces).size, 3);
        for (const nonce of nonces) assert.match(nonce, /^[0-9a-f]{32}$/);
        const rows = await kit.services.database.db.withTables<{ siwe_nonces: { nonce_hash: string } }>().selectFrom('siwe_nonces').select('nonce_hash').execute();
        for (const nonce of nonces) assert.ok(!rows.some((r) => r.nonce_hash === nonce));
      });
    });

    describe('siwe: accounts and addresses (sign-up off, linking while signed in)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let kit: Kit;
      let api: ReturnType<typeof siweApi>;
      const CHAIN = 31337;

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await siweKit(db.url, { allowedOrigins: [DAPP], chains: [{ chainId: CHAIN }, { chainId: 10 }], statement: 'Sign in to the dapp.' }, { config: { rateLimits: GENEROUS } });
        api = siweApi(kit);
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
      });

      const signed = async (key: ReturnType<typeof newKey>, chainId = CHAIN, fields: Partial<Parameters<typeof message>[0]> = {}) => {
        const text = message({ address: key.address as `0x${string}`, nonce: await api.nonce(), chainId, ...fields });
        return { message: text, signature: await key.signMessage(text) };
      };
      async function passwordUser() {
        const loginId = `u${randomBytes(6).toString('hex')}`;
        await kit.services.accountService.createEndUser({ loginId, password: 'correct horse battery' });
        const res = await request(api.app).post('/v2/auth/auth-user').send({ id: loginId, password: 'correct horse battery' });
        return { loginId, token: (res.body as Body)['token'] as string };
      }

      it('an unknown address answers 404 SIWE_ACCOUNT_NOT_FOUND when sign-up is off (the default)', async () => {
        assertError(await api.verify(await signed(newKey())), 404, 'SIWE_ACCOUNT_NOT_FOUND');
      });

      it('a signed-in account links addresses on several chains, then signs in with any of them', async () => {
        const user = await passwordUser();
        const key = newKey();
        const other = newKey();
        const linked = await api.link(await signed(key), user.token);
        assert.equal(linked.status, 200, JSON.stringify(linked.body));
        assert.deepEqual({ ...(linked.body as Body), linked_at: undefined }, { address: key.address, chain_id: CHAIN, linked_at: undefined });
        assert.equal((await api.link(await signed(key, 10), user.token)).status, 200);
        assert.equal((await api.link(await signed(other), user.token)).status, 200);
        // linking again answers the same address
        assert.equal((await api.link(await signed(key), user.token)).status, 200);
        const list = await api.addresses(user.token);
        assert.equal(list.status, 200);
        assert.deepEqual(
          (list.body as Body[]).map((a) => `${a['chain_id'] as number}:${a['address'] as string}`).sort(),
          [`${CHAIN}:${key.address}`, `${CHAIN}:${other.address}`, `10:${key.address}`].sort(),
        );
        for (const [k, chainId] of [
          [key, CHAIN],
          [key, 10],
          [other, CHAIN],
        ] as const) {
          const res = await api.verify(await signed(k, chainId));
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal((res.body as Body)['userId'], user.loginId);
        }
      });

      it('an address another account holds answers 409 SIWE_ADDRESS_TAKEN; linking needs a bearer token (401)', async () => {
        const [a, b] = [await passwordUser(), await passwordUser()];
        const key = newKey();
        assert.equal((await api.link(await signed(key), a.token)).status, 200);
        const res = await api.link(await signed(key), b.token);
        assert.equal(res.status, 409);
        assert.equal((res.body as Body)['code'], 'SIWE_ADDRESS_TAKEN');
        const anonymous = await request(api.app)
          .post('/v2/auth/siwe/link')
          .send(await signed(key));
        assert.equal(anonymous.status, 401);
        assert.equal((anonymous.body as Body)['code'], 'UNAUTHENTICATED');
        assert.equal((await api.addresses('not-a-token')).status, 401);
      });

      it('a statement other than the configured one answers 401 SIWE_STATEMENT_MISMATCH', async () => {
        assertError(await api.verify(await signed(newKey(), CHAIN, { statement: 'Transfer all my tokens.' })), 401, 'SIWE_STATEMENT_MISMATCH');
        assertError(await api.verify(await signed(newKey(), CHAIN, { statement: undefined })), 401, 'SIWE_STATEMENT_MISMATCH');
      });

      it('siweVerifier in the container answers { accountId, address, chainId } and throws the plugin’s errors', async () => {
        const user = await passwordUser();
        const key = newKey();
        await api.link(await signed(key), user.token);
        const verified = await kit.services.siweVerifier.verifySignIn(await signed(key));
        const account = await kit.services.accountDirectory.findByLoginId(user.loginId);
        assert.deepEqual(verified, { accountId: account!.id, address: key.address, chainId: CHAIN });
        await assert.rejects(kit.services.siweVerifier.verifySignIn(await signed(newKey())), { code: 'SIWE_ACCOUNT_NOT_FOUND', status: 404 });
      });
    });

    describe('siwe: rate limits per client IP and per address', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let kit: Kit;
      let api: ReturnType<typeof siweApi>;

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await siweKit(
          db.url,
          { allowedOrigins: [DAPP], chains: [{ chainId: 1 }], signUp: true },
          { config: { rateLimits: { 'siwe.nonce': { limit: 8, windowSeconds: 60 }, 'siwe.verify': { limit: 5, windowSeconds: 60 }, 'siwe.verify.address': { limit: 2, windowSeconds: 60 } } } },
        );
        api = siweApi(kit);
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
      });

      it('tries on one address past siwe.verify.address answer 429, other addresses still sign in; past siwe.verify every try answers 429', async () => {
        const key = newKey();
        const nonces = await Promise.all([1, 2, 3, 4, 5].map(() => api.nonce()));
        const forKey = (nonce: string) => message({ address: key.address as `0x${string}`, nonce, chainId: 1 });
        assertError(await api.verify({ message: forKey(nonces[0]!), signature: '0x00' }), 401, 'SIWE_SIGNATURE_INVALID');
        assertError(await api.verify({ message: forKey(nonces[1]!), signature: '0x00' }), 401, 'SIWE_SIGNATURE_INVALID');
        const limited = await api.verify({ message: forKey(nonces[2]!), signature: await key.signMessage(forKey(nonces[2]!)) });
        assertError(limited, 429, 'RATE_LIMITED');
        const other = newKey();
        const text = message({ address: other.address as `0x${string}`, nonce: nonces[3]!, chainId: 1 });
        assert.equal((await api.verify({ message: text, signature: await other.signMessage(text) })).status, 200);
        // four tries from this IP so far; the fifth passes the IP rule, the sixth does not
        await api.verify({ message: 'x', signature: '0x00' });
        assertError(await api.verify({ message: 'x', signature: '0x00' }), 429, 'RATE_LIMITED');
      });

      it('nonces past siwe.nonce answer 429', async () => {
        // five were taken above, eight are allowed
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await request(api.app).post('/v2/auth/siwe/nonce').send({})).status);
        assert.deepEqual(statuses, [201, 201, 201, 429]);
      });
    });
  });
}
