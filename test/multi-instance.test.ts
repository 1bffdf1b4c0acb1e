/**
 * Two standalone server processes (`node examples/standalone-server/dist/main.js`) on one fresh
 * MariaDB database, as two instances behind a load balancer: every flow starts on one and goes on
 * on the other. They share only what a deployment shares: the database, the master key, the
 * attestation signer key, the public URL and the SMS provider (core's Twilio stand-in).
 * Accounts come from the operator (`deployment-fixtures.ts`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CLAIM_TYPES, claimHash, recoverClaimSigner } from '@w3kit/attestations';
import { createTestDatabase, requireOrSkip, startTwilioStandIn, wantedDatabases, type TestDatabase, type TwilioStandIn } from '@w3kit/core/testing';
import { getBytes, Wallet } from 'ethers';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import request from 'supertest';
import { eventually, mintBody, openOperator, sleep, type Operator } from './deployment-fixtures.js';
import { deploymentEnv, sendAndHangUp, startServerProcess, stopAllServerProcesses, type ServerProcess } from './server-process.js';

const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-test-token' };
const IDENTITY = '0xc741715D55De72bF12461760BaAF97E0468e7b86'; // the Origin attestations document's phone identity
const OKINAWA = { latitude: '26.583193', longitude: '128.053881' };

describe('mariadb', () => {
  describe('multi-instance: two server processes on one database', function () {
    this.timeout(60_000);
    let db: TestDatabase | undefined;
    let twilio: TwilioStandIn | undefined;
    let operator: Operator | undefined;
    let sql: Connection | undefined;
    let env: Record<string, string>;
    let a: ServerProcess;
    let b: ServerProcess;

    before(async function () {
      if (!wantedDatabases().includes('mariadb')) return this.skip(); // W3KIT_TEST_DATABASES left MariaDB out: a choice
      requireOrSkip(this, 'MariaDB', process.env['MYSQL_URL'] ? undefined : 'MYSQL_URL is not set');
      db = await createTestDatabase('mariadb');
      twilio = await startTwilioStandIn(TWILIO);
      env = deploymentEnv(db.url, { TWILIO_ACCOUNT_SID: TWILIO.accountSid, TWILIO_AUTH_TOKEN: TWILIO.authToken, TWILIO_FROM: '+15005550006', TWILIO_BASE_URL: twilio.url });
      // A creates the schema; B starts on it.
      a = await startServerProcess(env);
      b = await startServerProcess(env);
      operator = await openOperator(env);
      sql = await createConnection(db.url);
    });
    after(async () => {
      await stopAllServerProcesses();
      await operator?.close();
      await twilio?.close();
      await sql?.end();
      await db?.drop();
    });

    const count = async (query: string, params: unknown[] = []) => Number(((await sql!.query<RowDataPacket[]>(query, params))[0][0] as { n: number }).n);

    const endUser = (server: ServerProcess) => operator!.endUser(server);
    const organization = (server: ServerProcess) => operator!.organization(server);
    const myInfo = (server: ServerProcess, bearer: string) => request(server.url).get('/rest/v1/account/my_info').set('authorization', bearer);

    /** The 6-digit code of the last SMS the stand-in received for `phone`. */
    function lastSmsCode(phone: string): string {
      const sms = twilio!.received.filter((form) => form.get('To') === phone).at(-1);
      const code = /\b(\d{6})\b/.exec(sms?.get('Body') ?? '')?.[1];
      if (!code) throw new Error(`no SMS code for ${phone}`);
      return code;
    }

    it('a login on A gives a token B accepts; an API key exchanged on B gives a token A accepts', async () => {
      const user = await endUser(a);
      const onB = await myInfo(b, user.bearer);
      assert.equal(onB.status, 200, JSON.stringify(onB.body));
      assert.equal(onB.body.result.account_id, user.id);
      assert.equal(onB.body.result.id_wallet.address, user.address);
      const extended = await request(b.url)
        .post('/v2/auth/auth-user')
        .send({ token: user.bearer.slice('Bearer '.length) });
      assert.equal(extended.status, 200);
      assert.equal((await myInfo(a, `Bearer ${extended.body.token as string}`)).body.result.account_id, user.id);

      const org = await organization(b);
      const onA = await myInfo(a, org.bearer);
      assert.equal(onA.status, 200);
      assert.equal(onA.body.result.account_id, org.id);
    });

    it('a phone code sent by A verifies on B, once: the claim is signed by the shared attestation key', async () => {
      const phone = '+14155552671';
      const sent = await request(a.url).post('/api/attestations/phone/generate-code').send({ phone });
      assert.deepEqual([sent.status, sent.body], [200, {}]);
      const code = lastSmsCode(phone);
      const verified = await request(b.url).post('/api/attestations/phone/verify').send({ identity: IDENTITY, phone, code });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body['claim-type'], CLAIM_TYPES.phone);
      assert.equal(verified.body.data, 'phone verified');
      const signer = new Wallet(env['ATTESTATION_SIGNER_KEY']!).address;
      assert.equal(await recoverClaimSigner({ identity: IDENTITY, claimType: CLAIM_TYPES.phone, data: 'phone verified' }, verified.body.signature as string), signer);
      const again = await request(a.url).post('/api/attestations/phone/verify').send({ identity: IDENTITY, phone, code });
      assert.deepEqual([again.status, again.body], [422, { errors: ['The verification code was already used; request a new code.'] }]);
    });

    it('NFT QR verification: minted on A, step 1 on A, step 2 on B, result on A, the log on B', async () => {
      const [org, holder, scanner] = await Promise.all([organization(a), endUser(a), endUser(b)]);
      const minted = await request(a.url).post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', org.bearer).send(mintBody(1));
      assert.equal(minted.status, 200, JSON.stringify(minted.body));
      const tokenId = minted.body.result.token_id as string;
      assert.deepEqual((await request(b.url).get(`/rest/v1/nft/${tokenId}`).set('authorization', holder.bearer)).body.result, minted.body.result);

      const step1 = await request(a.url).post(`/rest/v1/nft/${tokenId}/verification/qr_code/step1`).set('authorization', holder.bearer).send({ gps: OKINAWA });
      assert.equal(step1.status, 200, JSON.stringify(step1.body));
      const code = step1.body.result.code as string;
      const pending = await request(a.url)
        .get(`/rest/v1/nft/verification/qr_code/result?c=${encodeURIComponent(code)}`)
        .set('authorization', holder.bearer);
      assert.deepEqual(pending.body.result, { token_id: null });
      const step2 = await request(b.url)
        .post(`/rest/v1/nft/verification/qr_code/step2?c=${encodeURIComponent(code)}`)
        .set('authorization', scanner.bearer)
        .send({ gps: OKINAWA });
      assert.deepEqual([step2.status, step2.body], [200, { status: 'ok', result: { token_id: tokenId }, error: null }]);
      const result = await request(a.url)
        .get(`/rest/v1/nft/verification/qr_code/result?c=${encodeURIComponent(code)}`)
        .set('authorization', holder.bearer);
      assert.deepEqual(result.body, { status: 'ok', result: { token_id: tokenId }, error: null });
      const replay = await request(a.url)
        .post(`/rest/v1/nft/verification/qr_code/step2?c=${encodeURIComponent(code)}`)
        .set('authorization', scanner.bearer)
        .send({ gps: OKINAWA });
      assert.equal(replay.status, 422);
      assert.equal(replay.body.error.code, 'CODE_INVALID');
      const log = await request(b.url).get(`/rest/v1/nft/${tokenId}/verifications`).set('authorization', org.bearer);
      assert.equal(log.body.result.length, 1);
      assert.equal(log.body.result[0].scanner_account_id, scanner.id);
    });

    it('website login: the site asks A, the wallet presents its VP to B, the site collects the token from A', async () => {
      const user = await endUser(b);
      // the wallet: a custodial address (on B), its DID (on A), a credential for it (on B)
      const address = await request(b.url).post('/v2/did/create-address').set('authorization', user.bearer).send({});
      assert.equal(address.status, 200, JSON.stringify(address.body));
      const holder = (await request(a.url).post('/v2/did/create-did').send({ alias: 'wallet', address: address.body.address, secretKey: address.body.secretKey })).body.did as string;
      const credential = await request(b.url)
        .post('/v2/did/create-vc')
        .set('authorization', user.bearer)
        .send({ holder, userInfo: { name: 'Hong' } });
      assert.equal(credential.status, 200, JSON.stringify(credential.body));

      const site = await request(a.url).post('/v2/auth/auth-user-by-app').send({ requestId: 'https://shop.example?', waitTime: 60 });
      assert.equal(site.status, 200, JSON.stringify(site.body));
      const { requestId, resultToken } = site.body as { requestId: string; resultToken: string };
      const waiting = await request(a.url).post('/v2/auth/auth-user-result-by-app').send({ requestId, resultToken });
      assert.deepEqual([waiting.status, waiting.body.code], [401, 'LOGIN_PENDING']);

      const verifier = (await request(b.url).get('/v2/did/verifiers')).body[0].did as string;
      const vp = await request(b.url)
        .post('/v2/did/create-vp')
        .send({ holder, credentials: [credential.body], verifier, challenge: requestId, tempKey: address.body.secretKey });
      assert.equal(vp.status, 200, JSON.stringify(vp.body));
      const walletLogin = await request(b.url).post('/v2/auth/auth-user-with-vp').send({ requestId, vp: vp.body });
      assert.equal(walletLogin.status, 200, JSON.stringify(walletLogin.body));

      const done = await request(a.url).post('/v2/auth/auth-user-result-by-app').send({ requestId, resultToken });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.userId, user.loginId);
      assert.equal((await myInfo(b, `Bearer ${done.body.token as string}`)).body.result.account_id, user.id);
      const collected = await request(b.url).post('/v2/auth/auth-user-result-by-app').send({ requestId, resultToken });
      assert.deepEqual([collected.status, collected.body.code], [400, 'LOGIN_RESULT_COLLECTED']);
    });

    describe('idempotent retry after a dropped connection', () => {
      it('a mint whose connection dropped, retried on the other instance with the same Idempotency-Key: the same token, one row', async () => {
        const [org, holder] = await Promise.all([organization(a), endUser(a)]);
        const key = `mint-${randomBytes(8).toString('hex')}`;
        const path = `/rest/v1/nft/mint/to/${holder.address}`;
        await sendAndHangUp(a.url, { method: 'POST', path, headers: { authorization: org.bearer, 'idempotency-key': key }, body: mintBody(2) });
        // the dropped request reached A and claimed the key: the retry takes the replay path
        await eventually('the dropped mint claimed its key', async () => (await count('SELECT COUNT(*) n FROM nft_idempotency_keys WHERE idempotency_key = ?', [key])) === 1);

        let retry = await request(b.url).post(path).set('authorization', org.bearer).set('idempotency-key', key).send(mintBody(2));
        for (let i = 0; i < 10 && retry.status === 409 && retry.body.error.code === 'IDEMPOTENCY_IN_PROGRESS'; i++) {
          assert.equal(retry.headers['retry-after'], '1');
          await sleep(200); // a client would wait retry-after; the first mint is a few ms from done
          retry = await request(b.url).post(path).set('authorization', org.bearer).set('idempotency-key', key).send(mintBody(2));
        }
        assert.equal(retry.status, 200, JSON.stringify(retry.body));
        const claimed = (await sql!.query<RowDataPacket[]>('SELECT token_id FROM nft_idempotency_keys WHERE idempotency_key = ?', [key]))[0][0]!['token_id'] as string;
        assert.equal(retry.body.result.token_id, claimed);
        assert.equal(await count('SELECT COUNT(*) n FROM nft_tokens WHERE holder_account_id = ?', [holder.id]), 1);
        const onA = await request(a.url).post(path).set('authorization', org.bearer).set('idempotency-key', key).send(mintBody(2));
        assert.deepEqual(onA.body.result, retry.body.result);
        const otherBody = await request(a.url).post(path).set('authorization', org.bearer).set('idempotency-key', key).send(mintBody(3));
        assert.deepEqual([otherBody.status, otherBody.body.error.code], [409, 'IDEMPOTENCY_KEY_REUSED']);
        assert.equal(await count('SELECT COUNT(*) n FROM nft_tokens WHERE holder_account_id = ?', [holder.id]), 1);
      });

      // An attestation verify cannot apply twice: its only write is the code's claim (one
      // conditional UPDATE that sets consumed_at), and nothing is recorded per claim. So a retry
      // with the same code is refused as "already used" — on purpose: handing the claim out again
      // for a used code would let anyone who saw that code get claims for any identity. What the
      // client lost with the dropped response is no state but the claim, and the claim is a pure
      // function of (identity, claim type, data) signed deterministically (RFC 6979), so a fresh
      // code yields the very bytes it missed.
      it('a phone verify whose connection dropped used its code once; a retry is refused, a new code gives the identical claim', async () => {
        const phone = '+14155552672';
        const consumed = () => count("SELECT COUNT(*) n FROM w3kit_one_time_codes WHERE purpose = 'attestations.phone' AND consumed_at IS NOT NULL");
        const before = await consumed();
        assert.equal((await request(a.url).post('/api/attestations/phone/generate-code').send({ phone })).status, 200);
        const code = lastSmsCode(phone);
        await sendAndHangUp(a.url, { method: 'POST', path: '/api/attestations/phone/verify', body: { identity: IDENTITY, phone, code } });
        await eventually('the dropped verify consumed its code', async () => (await consumed()) === before + 1);

        const retry = await request(b.url).post('/api/attestations/phone/verify').send({ identity: IDENTITY, phone, code });
        assert.deepEqual([retry.status, retry.body], [422, { errors: ['The verification code was already used; request a new code.'] }]);
        assert.equal(await consumed(), before + 1);

        assert.equal((await request(b.url).post('/api/attestations/phone/generate-code').send({ phone })).status, 200);
        const fresh = await request(b.url)
          .post('/api/attestations/phone/verify')
          .send({ identity: IDENTITY, phone, code: lastSmsCode(phone) });
        assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
        const expected = await new Wallet(env['ATTESTATION_SIGNER_KEY']!).signMessage(getBytes(claimHash({ identity: IDENTITY, claimType: CLAIM_TYPES.phone, data: 'phone verified' })));
        assert.deepEqual(fresh.body, { 'claim-type': CLAIM_TYPES.phone, signature: expected, data: 'phone verified' });
      });
    });
  });
});
