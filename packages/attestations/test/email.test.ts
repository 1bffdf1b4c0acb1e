import assert from 'node:assert/strict';
import { recoverClaimSigner } from '@w3kit/attestations';
import { testDatabases } from '@w3kit/core/testing';
import request from 'supertest';
import { harnessPerTest, SEED, TEST_SIGNER_ADDRESS, type Harness } from './support.js';

const EMAIL = 'ada@example.com';
const IDENTITY = SEED.phoneIdentity;
const generate = (h: Harness, body: object, ip = '203.0.113.1') => request(h.app.callback()).post('/api/attestations/email/generate-code').set('x-forwarded-for', ip).send(body);
const verify = (h: Harness, body: object) => request(h.app.callback()).post('/api/attestations/email/verify').send(body);

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations: email', () => {
      let h: Harness;
      harnessPerTest(kind, (harness) => (h = harness));

      it('mails a code over SMTP; the code from the received message verifies into an email claim', async () => {
        const sent = await generate(h, { email: EMAIL });
        assert.deepEqual([sent.status, sent.body], [200, {}]);
        assert.equal(h.smtp.messages.length, 1);
        const mail = h.smtp.messages[0]!;
        assert.deepEqual(mail.to, [EMAIL]);
        assert.match(mail.raw, /^Subject: Your verification code$/m);
        assert.match(mail.raw, /^From: w3kit <no-reply@example\.com>$/m);
        assert.match(mail.raw, /It expires in 30 minutes\./);

        const res = await verify(h, { identity: IDENTITY, email: EMAIL, code: h.lastEmailCode(EMAIL) });
        assert.equal(res.status, 200);
        assert.deepEqual(Object.keys(res.body), ['claim-type', 'signature', 'data']);
        assert.equal(res.body['claim-type'], 11);
        assert.equal(res.body.data, 'email verified');
        assert.match(res.body.signature, /^0x[0-9a-f]{130}$/);
        assert.equal(await recoverClaimSigner({ identity: IDENTITY, claimType: 11, data: 'email verified' }, res.body.signature, 'legacy-hex-string'), TEST_SIGNER_ADDRESS);
        // seeds/003's email sample was edited after signing, so unlike the others it is not reproduced
        assert.notEqual(res.body.signature, SEED.email.signature);
      });

      it('treats an address case-insensitively and sends to its normalized form; surrounding whitespace is refused, not trimmed', async () => {
        const padded = await generate(h, { email: '  Ada@Example.COM ' });
        assert.deepEqual([padded.status, padded.body], [400, { errors: ['Invalid email address.'] }]);
        assert.equal((await generate(h, { email: 'Ada@Example.COM' })).status, 200);
        assert.deepEqual(h.smtp.messages[0]!.to, [EMAIL]);
        assert.equal((await verify(h, { identity: IDENTITY, email: 'ADA@example.com', code: h.lastEmailCode(EMAIL) })).status, 200);
      });

      it('a code lives 30 minutes, then is expired', async () => {
        await generate(h, { email: EMAIL });
        const code = h.lastEmailCode(EMAIL);
        h.clock.advance(30 * 60_000 - 1);
        const wrong = await verify(h, { identity: IDENTITY, email: EMAIL, code: code === '000000' ? '111111' : '000000' });
        assert.deepEqual(wrong.body, { errors: ['The verification code is incorrect.'] }, 'still alive a millisecond before');
        h.clock.advance(1);
        const res = await verify(h, { identity: IDENTITY, email: EMAIL, code });
        assert.deepEqual([res.status, res.body], [422, { errors: ['The verification code has expired; request a new code.'] }]);
      });

      it('brute force: 5 wrong codes kill the code', async () => {
        await generate(h, { email: EMAIL });
        const code = h.lastEmailCode(EMAIL);
        const wrong = code === '000000' ? '111111' : '000000';
        for (let i = 0; i < 5; i++) assert.equal((await verify(h, { identity: IDENTITY, email: EMAIL, code: wrong })).status, 422);
        const right = await verify(h, { identity: IDENTITY, email: EMAIL, code });
        assert.deepEqual([right.status, right.body], [422, { errors: ['Too many wrong attempts; request a new code.'] }]);
      });

      it('a code for one address does not verify another', async () => {
        await generate(h, { email: EMAIL });
        const res = await verify(h, { identity: IDENTITY, email: 'eve@example.com', code: h.lastEmailCode(EMAIL) });
        assert.deepEqual([res.status, res.body], [422, { errors: ['No verification code is pending for this address; request a new code.'] }]);
        assert.equal((await verify(h, { identity: IDENTITY, email: EMAIL, code: h.lastEmailCode(EMAIL) })).status, 200);
      });

      it('rate limit: 3 codes per address per 10 minutes (429), counted across letter cases', async () => {
        for (const email of [EMAIL, 'ADA@example.com', 'Ada@Example.com']) assert.equal((await generate(h, { email })).status, 200);
        const refused = await generate(h, { email: EMAIL }, '198.51.100.2');
        assert.deepEqual([refused.status, refused.body], [429, { errors: ['Too many requests; try again later.'] }]);
        assert.equal(refused.headers['retry-after'], '600');
        assert.equal(h.smtp.messages.length, 3);
      });

      it('rejects test@localhost-style addresses and bad bodies with 400', async () => {
        const cases: [object, string[]][] = [
          [{ email: 'test@localhost' }, ['Invalid email address.']],
          [{ email: 'ada@example' }, ['Invalid email address.']],
          [{ email: 'ada@example.test' }, ['Invalid email address.']],
          [{ email: 'ada@[127.0.0.1]' }, ['Invalid email address.']],
          [{ email: 'ada example.com' }, ['Invalid email address.']],
          [{}, ['email: is required.']],
          [{ email: ['ada@example.com'] }, ['email: not a valid string.']],
          [{ email: 'a@' }, ['email: must be at least 3 characters.']],
          [{ email: `${'a'.repeat(250)}@example.com` }, ['email: must be at most 254 characters.']],
        ];
        for (const [body, errors] of cases) {
          const res = await generate(h, body);
          assert.deepEqual([res.status, res.body], [400, { errors }], JSON.stringify(body));
        }
        const verifyCases: [object, string[]][] = [
          [{ identity: IDENTITY, email: 'test@localhost', code: '123456' }, ['Invalid email address.']],
          [{ identity: IDENTITY, email: EMAIL }, ['code: is required.']],
          [{ identity: 'c741715D55De72bF12461760BaAF97E0468e7b86', email: EMAIL, code: '123456' }, ['identity: has an invalid format.']],
          [{ email: EMAIL, code: 123456, identity: null }, ['code: not a valid string.', 'identity: not a valid string.']],
        ];
        for (const [body, errors] of verifyCases) {
          const res = await verify(h, body);
          assert.deepEqual([res.status, res.body], [400, { errors }], JSON.stringify(body));
        }
        assert.equal(h.smtp.messages.length, 0);
      });

      it('a mail server that cannot be reached is a 503', async () => {
        await h.smtp.close();
        const res = await generate(h, { email: EMAIL });
        assert.deepEqual([res.status, res.body], [503, { errors: ['The mail server could not be reached.'] }]);
      });

      it('a mailbox the server refuses is a 422', async () => {
        h.smtp.refuse.add('nobody@example.com');
        const res = await generate(h, { email: 'nobody@example.com' });
        assert.deepEqual([res.status, res.body], [422, { errors: ['The mail server refused the message.'] }]);
      });
    });
  });
}
