import assert from 'node:assert/strict';
import { recoverClaimSigner } from '@w3kit/attestations';
import { testDatabases } from '@w3kit/core/testing';
import request from 'supertest';
import { harnessPerTest, SEED, TEST_SIGNER_ADDRESS, type Harness } from './support.js';

const PHONE = '+14155552671';
const IDENTITY = SEED.phoneIdentity;
const generate = (h: Harness, body: object, ip = '203.0.113.1') => request(h.app.callback()).post('/api/attestations/phone/generate-code').set('x-forwarded-for', ip).send(body);
const verify = (h: Harness, body: object) => request(h.app.callback()).post('/api/attestations/phone/verify').send(body);

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations: phone', () => {
      let h: Harness;
      harnessPerTest(kind, (harness) => (h = harness));

      it('sends a code by SMS through the Twilio API and answers the Origin attestations document phone claim byte for byte', async () => {
        const sent = await generate(h, { phone: PHONE });
        assert.equal(sent.status, 200);
        assert.deepEqual(sent.body, {});
        assert.equal(h.twilio.received.length, 1);
        const sms = h.twilio.received[0]!;
        assert.equal(sms.get('To'), PHONE);
        assert.equal(sms.get('From'), '+15005550006');
        assert.match(sms.get('Body')!, /^Your verification code is \d{6}\. It expires in 10 minutes\.$/);

        const res = await verify(h, { identity: IDENTITY, phone: PHONE, code: h.lastSmsCode(PHONE) });
        assert.equal(res.status, 200);
        assert.match(res.headers['content-type']!, /^application\/json/);
        assert.equal(res.text, JSON.stringify(SEED.phone), 'the Origin attestations document response, byte for byte');
        assert.equal(await recoverClaimSigner({ identity: IDENTITY, claimType: 10, data: 'phone verified' }, res.body.signature, 'legacy-hex-string'), TEST_SIGNER_ADDRESS);
      });

      it('accepts a national number with country_calling_code (and Origin method/locale) and verifies it in any format', async () => {
        assert.equal((await generate(h, { phone: '(415) 555-2671', country_calling_code: '1', method: 'sms', locale: 'en-US' })).status, 200);
        assert.equal(h.twilio.received[0]!.get('To'), PHONE);
        const res = await verify(h, { identity: IDENTITY.toLowerCase(), phone: '4155552671', country_calling_code: 1, code: h.lastSmsCode(PHONE) });
        assert.equal(res.status, 200);
        assert.equal(res.body.signature, SEED.phone.signature, 'the identity is read checksum-insensitively');
      });

      it('a code is single-use', async () => {
        await generate(h, { phone: PHONE });
        const code = h.lastSmsCode(PHONE);
        assert.equal((await verify(h, { identity: IDENTITY, phone: PHONE, code })).status, 200);
        const again = await verify(h, { identity: IDENTITY, phone: PHONE, code });
        assert.equal(again.status, 422);
        assert.deepEqual(again.body, { errors: ['The verification code was already used; request a new code.'] });
      });

      it('brute force: after 5 wrong codes the right one fails too', async () => {
        await generate(h, { phone: PHONE });
        const code = h.lastSmsCode(PHONE);
        const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
        for (let i = 0; i < 5; i++) {
          const res = await verify(h, { identity: IDENTITY, phone: PHONE, code: wrong });
          assert.equal(res.status, 422);
          assert.deepEqual(res.body, { errors: ['The verification code is incorrect.'] });
        }
        const right = await verify(h, { identity: IDENTITY, phone: PHONE, code });
        assert.equal(right.status, 422);
        assert.deepEqual(right.body, { errors: ['Too many wrong attempts; request a new code.'] });
      });

      it('parallel guesses cannot exceed the attempt budget', async () => {
        await generate(h, { phone: PHONE });
        const code = h.lastSmsCode(PHONE);
        const guesses = Array.from({ length: 30 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
        const answers = await Promise.all(guesses.map((guess) => verify(h, { identity: IDENTITY, phone: PHONE, code: guess })));
        assert.equal(answers.filter((a) => a.body.errors?.[0] === 'The verification code is incorrect.').length, 5);
        assert.ok(answers.every((a) => a.status === 422));
        assert.equal((await verify(h, { identity: IDENTITY, phone: PHONE, code })).status, 422);
      });

      it('a code expires after 10 minutes', async () => {
        await generate(h, { phone: PHONE });
        const code = h.lastSmsCode(PHONE);
        h.clock.advance(10 * 60_000);
        const res = await verify(h, { identity: IDENTITY, phone: PHONE, code });
        assert.equal(res.status, 422);
        assert.deepEqual(res.body, { errors: ['The verification code has expired; request a new code.'] });
      });

      it('a new code supersedes the previous one', async () => {
        await generate(h, { phone: PHONE });
        const first = h.lastSmsCode(PHONE);
        await generate(h, { phone: PHONE });
        const second = h.lastSmsCode(PHONE);
        if (first !== second) {
          const old = await verify(h, { identity: IDENTITY, phone: PHONE, code: first });
          assert.deepEqual([old.status, old.body], [422, { errors: ['The verification code is incorrect.'] }]);
        }
        assert.equal((await verify(h, { identity: IDENTITY, phone: PHONE, code: second })).status, 200);
      });

      it('a number without a pending code is a 422', async () => {
        const res = await verify(h, { identity: IDENTITY, phone: PHONE, code: '123456' });
        assert.equal(res.status, 422);
        assert.deepEqual(res.body, { errors: ['No verification code is pending for this address; request a new code.'] });
      });

      it('rate limit: 3 codes per number per 10 minutes, then 429 with retry-after', async () => {
        for (let i = 0; i < 3; i++) assert.equal((await generate(h, { phone: PHONE }, `203.0.113.${i + 10}`)).status, 200);
        const refused = await generate(h, { phone: '+1 415 555 2671' }, '203.0.113.99');
        assert.equal(refused.status, 429);
        assert.deepEqual(refused.body, { errors: ['Too many requests; try again later.'] });
        assert.ok(Number(refused.headers['retry-after']) >= 1);
        assert.equal(h.twilio.received.length, 3, 'the refused request sent nothing');
        h.clock.advance(10 * 60_000);
        assert.equal((await generate(h, { phone: PHONE })).status, 200);
      });

      it('rate limit: 10 codes per client IP per 10 minutes, whatever the numbers', async () => {
        for (let i = 0; i < 10; i++) assert.equal((await generate(h, { phone: `+1415555${String(2600 + i)}` })).status, 200);
        const refused = await generate(h, { phone: '+14155552699' });
        assert.deepEqual([refused.status, refused.body], [429, { errors: ['Too many requests; try again later.'] }]);
        assert.equal((await generate(h, { phone: '+14155552699' }, '198.51.100.7')).status, 200, 'another client is not limited');
      });

      it('validation errors are 400 in the Origin format', async () => {
        const cases: [object, string[]][] = [
          [{}, ['phone: is required.']],
          [{ phone: 5555555555 }, ['phone: not a valid string.']],
          [{ phone: '' }, ['phone: must be at least 1 characters.']],
          [{ phone: 'not a number' }, ['Invalid phone number.']],
          [{ phone: '5555555555' }, ['Invalid phone number.']],
          [{ phone: '5555555555', country_calling_code: '1' }, ['Invalid phone number.']],
          [{ phone: '+14155552671 ext. 5' }, ['Invalid phone number.']],
          [{ phone: PHONE, country_calling_code: 'one' }, ['country_calling_code: not a valid value.']],
          [{ phone: PHONE, method: 'fax' }, ['method: must be one of "sms", "call".']],
          [{ phone: PHONE, locale: 'en US<script>' }, ['locale: has an invalid format.']],
        ];
        for (const [body, errors] of cases) {
          const res = await generate(h, body);
          assert.deepEqual([res.status, res.body], [400, { errors }], JSON.stringify(body));
        }
        const seedExample = await verify(h, { code: 964622, identity: 7, phone: PHONE });
        assert.deepEqual([seedExample.status, seedExample.body], [400, { errors: ['code: not a valid string.', 'identity: not a valid string.'] }]);
        const verifyCases: [object, string[]][] = [
          [{ phone: PHONE, code: '123456' }, ['identity: is required.']],
          [{ identity: '0x1234', phone: PHONE, code: '123456' }, ['identity: has an invalid format.']],
          [{ identity: IDENTITY, phone: PHONE, code: '12345' }, ['code: has an invalid format.']],
          [{ identity: IDENTITY, phone: 'nope', code: '123456' }, ['Invalid phone number.']],
        ];
        for (const [body, errors] of verifyCases) {
          const res = await verify(h, body);
          assert.deepEqual([res.status, res.body], [400, { errors }], JSON.stringify(body));
        }
        assert.equal(h.twilio.received.length, 0);
      });

      it('malformed JSON and a wrong content type are rejected in the Origin format', async () => {
        const bad = await request(h.app.callback()).post('/api/attestations/phone/generate-code').set('content-type', 'application/json').send('{"phone":');
        assert.deepEqual([bad.status, bad.body], [400, { errors: ['The request body is not valid JSON (it ends too early at line 1, column 10, position 9).'] }]);
        const form = await request(h.app.callback()).post('/api/attestations/phone/verify').type('form').send({ phone: PHONE });
        assert.deepEqual([form.status, form.body], [415, { errors: ['The request body must be application/json.'] }]);
      });

      it('a voice call is refused with 422 (the SMS adapter cannot call)', async () => {
        const res = await generate(h, { phone: PHONE, method: 'call' });
        assert.deepEqual([res.status, res.body], [422, { errors: ['Verification by phone call is not available on this server; use sms.'] }]);
        assert.equal(h.twilio.received.length, 0);
      });

      it('a number the SMS provider refuses is a 422; a failing provider a 503', async () => {
        h.twilio.respondWith(() => ({ status: 400, body: { code: 21614, message: "'To' number is not a valid mobile number" } }));
        const refused = await generate(h, { phone: PHONE });
        assert.deepEqual([refused.status, refused.body], [422, { errors: ['The phone number cannot receive SMS.'] }]);
        h.twilio.respondWith(() => ({ status: 503, body: {} }));
        const down = await generate(h, { phone: '+14155552672' });
        assert.deepEqual([down.status, down.body], [503, { errors: ['The SMS provider is unavailable.'] }]);
      });

      it('stores neither the number nor the code in clear', async () => {
        await generate(h, { phone: PHONE });
        const code = h.lastSmsCode(PHONE);
        const rows = await h.kit.services.db.withTables<{ w3kit_one_time_codes: Record<string, unknown> }>().selectFrom('w3kit_one_time_codes').selectAll().execute();
        assert.equal(rows.length, 1);
        const stored = JSON.stringify(rows);
        assert.ok(!stored.includes(code) && !stored.includes('4155552671'), stored);
        assert.equal(rows[0]!['purpose'], 'attestations.phone');
      });
    });

    describe('attestations: phone (seed numbers)', () => {
      let h: Harness;
      harnessPerTest(kind, (harness) => (h = harness), { plugin: { phoneNumberCheck: 'possible', defaultPhoneCountry: 'US', phoneCodeTtlSeconds: 120 } });

      it("with phoneNumberCheck 'possible' the Origin attestations document's 5555555555 + country_calling_code works", async () => {
        assert.equal((await generate(h, { phone: '5555555555' })).status, 200, 'a national number in the default country');
        const sms = h.twilio.received[0]!;
        assert.equal(sms.get('To'), '+15555555555');
        assert.match(sms.get('Body')!, /expires in 2 minutes/);
        const res = await verify(h, { identity: IDENTITY, phone: '5555555555', code: h.lastSmsCode('+15555555555') });
        assert.deepEqual([res.status, res.body], [200, SEED.phone]);
        await generate(h, { phone: '5555555555', country_calling_code: '1' });
        h.clock.advance(120_000);
        const expired = await verify(h, { identity: IDENTITY, phone: '+15555555555', code: h.lastSmsCode('+15555555555') });
        assert.equal(expired.status, 422, 'the configured lifetime applies');
      });
    });
  });
}
