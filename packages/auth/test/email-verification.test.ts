import assert from 'node:assert/strict';
import type { CoreTables, Kit } from '@w3kit/core';
import { appFor, createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { authKit, createEndUser, emailInbox, expectEnvelopeError } from './support.js';

const STEP1 = '/rest/v1/verify/email/step1';
const STEP2 = '/rest/v1/verify/email/step2';

/** A code other than `code`, of the same shape. */
const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('auth: email verification of accounts (POST /rest/v1/verify/email/step1, step2)', () => {
      let db: TestDatabase;
      let kit: Kit;
      let clock: ManualClock;
      const inbox = emailInbox();
      const api = () => request(appFor(kit).callback());
      const step1 = (bearer: string) => api().post(STEP1).set('authorization', bearer);
      const step2 = (bearer: string, body: unknown) =>
        api()
          .post(STEP2)
          .set('authorization', bearer)
          .send(body as object);
      const emailVerified = async (bearer: string) => (await api().get('/rest/v1/account/my_info').set('authorization', bearer)).body.result.email_verified as boolean;
      /** An end user who asked for a code: their tmp_token and the code emailed to them. */
      const withCode = async () => {
        const user = await createEndUser(kit);
        const res = await step1(user.bearer);
        assert.equal(res.status, 200, res.text);
        return { user, tmpToken: res.body.result.tmp_token as string, code: inbox.lastCode(user.account.email!) };
      };

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        kit = await authKit(db.url, {}, { services: { clock, emailSender: inbox.sender } });
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      it('step1 emails a 6-digit code to the account’s own address; step2 with it makes my_info’s email_verified true', async () => {
        const user = await createEndUser(kit);
        assert.equal(await emailVerified(user.bearer), false, 'an email given at sign-up is not verified');
        const res = await step1(user.bearer);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(Object.keys(res.body), ['status', 'result', 'error']);
        assert.equal(res.body.status, 'ok');
        assert.equal(res.body.error, null);
        assert.deepEqual(Object.keys(res.body.result), ['tmp_token', 'code_sent']);
        assert.equal(res.body.result.code_sent, true);
        const mail = inbox.to(user.account.email!).at(-1)!;
        assert.match(mail.subject, /code/);
        assert.match(mail.text, /It expires in 10 minutes\./);
        const code = inbox.lastCode(user.account.email!);

        const done = await step2(user.bearer, { tmp_token: res.body.result.tmp_token, code });
        assert.deepEqual(done.body, { status: 'ok', result: true, error: null });
        assert.equal(await emailVerified(user.bearer), true);
        assert.equal((await kit.services.accountStore.findById(user.account.id))!.emailVerified, true);
      });

      it('the code is stored only as a keyed hash', async () => {
        const { code, tmpToken } = await withCode();
        const row = await kit.services.database.db.withTables<CoreTables>().selectFrom('w3kit_one_time_codes').selectAll().where('id', '=', tmpToken).executeTakeFirstOrThrow();
        assert.ok(!JSON.stringify(row).includes(code), 'no clear-text code in the row');
        assert.match(row.secret_hash, /^[0-9a-f]{64}$/);
      });

      it('a code works once: the second use, and the loser of two concurrent uses, get 422 CODE_EXPIRED', async () => {
        const { user, tmpToken, code } = await withCode();
        const both = await Promise.all([step2(user.bearer, { tmp_token: tmpToken, code }), step2(user.bearer, { tmp_token: tmpToken, code })]);
        assert.deepEqual(both.map((r) => r.status).sort(), [200, 422]);
        expectEnvelopeError(
          both.find((r) => r.status === 422)!,
          422,
          'CODE_EXPIRED',
          'The code has expired or was already used; request a new one.',
        );
        expectEnvelopeError(await step2(user.bearer, { tmp_token: tmpToken, code }), 422, 'CODE_EXPIRED');
      });

      it('a wrong code: 422 INVALID_CODE with attempts_left; after 5 tries even the right code gets TOO_MANY_ATTEMPTS', async () => {
        const { user, tmpToken, code } = await withCode();
        for (let left = 4; left >= 0; left--) {
          const error = expectEnvelopeError(await step2(user.bearer, { tmp_token: tmpToken, code: wrongCode(code) }), 422, 'INVALID_CODE', 'The code is wrong.');
          assert.equal(error['attempts_left'], left);
        }
        expectEnvelopeError(await step2(user.bearer, { tmp_token: tmpToken, code }), 422, 'TOO_MANY_ATTEMPTS', 'Too many wrong codes; request a new one.');
        assert.equal(await emailVerified(user.bearer), false);
      });

      it('a code expires after emailCodeTtlSeconds (600 s)', async () => {
        const { user, tmpToken, code } = await withCode();
        clock.advance(600_000 + 1000);
        expectEnvelopeError(await step2(user.bearer, { tmp_token: tmpToken, code }), 422, 'CODE_EXPIRED');
        assert.equal(await emailVerified(user.bearer), false);
      });

      it('a newer code replaces the earlier one', async () => {
        const { user, tmpToken, code } = await withCode();
        const again = await step1(user.bearer);
        assert.equal(again.status, 200);
        expectEnvelopeError(await step2(user.bearer, { tmp_token: tmpToken, code }), 422, 'UNKNOWN_TMP_TOKEN');
        const done = await step2(user.bearer, { tmp_token: again.body.result.tmp_token, code: inbox.lastCode(user.account.email!) });
        assert.equal(done.status, 200, done.text);
      });

      it('another account’s tmp_token is not found (UNKNOWN_TMP_TOKEN, as a never-issued one) and spends none of its owner’s tries', async () => {
        const owner = await withCode();
        const other = await createEndUser(kit);
        for (let i = 0; i < 6; i++) expectEnvelopeError(await step2(other.bearer, { tmp_token: owner.tmpToken, code: owner.code }), 422, 'UNKNOWN_TMP_TOKEN');
        assert.equal(await emailVerified(other.bearer), false);
        assert.equal((await step2(owner.user.bearer, { tmp_token: owner.tmpToken, code: owner.code })).status, 200);
      });

      it('409 EMAIL_ALREADY_VERIFIED once verified, 409 EMAIL_NOT_SET for an account without email', async () => {
        const { user, tmpToken, code } = await withCode();
        assert.equal((await step2(user.bearer, { tmp_token: tmpToken, code })).status, 200);
        expectEnvelopeError(await step1(user.bearer), 409, 'EMAIL_ALREADY_VERIFIED', 'The account’s email address is already verified.');
        const account = await kit.services.accountService.createEndUser({ loginId: `no-email-${kind}-${Date.now()}`, password: 'correct horse battery' });
        const { token } = await kit.services.tokenService.issueAccessToken(account);
        expectEnvelopeError(await step1(`Bearer ${token}`), 409, 'EMAIL_NOT_SET', 'The account has no email address to verify.');
      });

      it('sends are limited per address (auth.email.address, 3 per 10 minutes): 429 RATE_LIMITED with retry-after, and no email', async () => {
        const user = await createEndUser(kit);
        for (let i = 0; i < 3; i++) assert.equal((await step1(user.bearer)).status, 200);
        const sent = inbox.to(user.account.email!).length;
        const limited = await step1(user.bearer);
        expectEnvelopeError(limited, 429, 'RATE_LIMITED', 'Too many requests; try again later.');
        assert.ok(Number(limited.headers['retry-after']) >= 1);
        assert.equal(inbox.to(user.account.email!).length, sent);
      });

      it('401 without a token; 400 for a malformed code or a missing tmp_token', async () => {
        expectEnvelopeError(await api().post(STEP1), 401, 'UNAUTHENTICATED');
        expectEnvelopeError(await api().post(STEP2).send({ tmp_token: 'x', code: '123456' }), 401, 'UNAUTHENTICATED');
        const { user, tmpToken } = await withCode();
        assert.deepEqual(expectEnvelopeError(await step2(user.bearer, { tmp_token: tmpToken, code: '12345' }), 400, 'VALIDATION_FAILED')['issues'], ['code: has an invalid format.']);
        assert.deepEqual(expectEnvelopeError(await step2(user.bearer, { code: '123456' }), 400, 'VALIDATION_FAILED')['issues'], ['tmp_token: is required.']);
        expectEnvelopeError(await api().post(STEP2).set('authorization', user.bearer).set('content-type', 'application/json').send('{"code":'), 400, 'INVALID_JSON');
      });
    });

    describe('auth: email verification send limit per account (auth.email.account)', () => {
      it('429 once the account asked for more codes than the rule allows', async () => {
        const db = await createTestDatabase(kind);
        const inbox = emailInbox();
        const kit = await authKit(db.url, {}, { services: { emailSender: inbox.sender }, config: { rateLimits: { 'auth.email.account': { limit: 1, windowSeconds: 3600 } } } });
        try {
          const user = await createEndUser(kit);
          const app = appFor(kit).callback();
          assert.equal((await request(app).post(STEP1).set('authorization', user.bearer)).status, 200);
          expectEnvelopeError(await request(app).post(STEP1).set('authorization', user.bearer), 429, 'RATE_LIMITED');
          assert.equal(inbox.sent.length, 1);
        } finally {
          await kit.close();
          await db.drop();
        }
      });
    });
  });
}
