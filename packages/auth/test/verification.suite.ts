import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createKit, createTwilioSmsSender, KitConfigError, type Kit } from '@w3kit/core';
import {
  createManualClock,
  createTestDatabase,
  mountedApp,
  startTwilioStandIn,
  testDatabases,
  type KitMount,
  type ManualClock,
  type TestApp,
  type TestDatabase,
  type TwilioStandIn,
} from '@w3kit/core/testing';
import dns2 from 'dns2';
import request from 'supertest';
import { authKit, createEndUser, createOrganization, MASTER_KEY } from './support.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TWILIO_TOKEN = 'twilio-auth-token';
const TXT_PREFIX = 'web3connect-domain-verification=';

/** A Web3Connect error envelope with this code (and this message, when given). */
function expectEnvelopeError(res: request.Response, status: number, code: string, message?: string | RegExp): Record<string, unknown> {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status, 'error');
  assert.equal(res.body.result, null);
  const error = res.body.error as Record<string, unknown>;
  assert.equal(error['code'], code);
  if (typeof message === 'string') assert.equal(error['message'], message);
  else if (message) assert.match(String(error['message']), message);
  return error;
}

let numberCounter = 0;
/** A fresh valid French mobile number, so send limits of one test never touch another. */
const mobileNumber = () => `+3361234${String(numberCounter++).padStart(4, '0')}`;

/**
 * A real DNS server on loopback (UDP), answering TXT queries from a table the tests fill:
 * a name with records answers them, a name with `[]` answers NOERROR without records,
 * `slow.test` never answers, `servfail.test` answers SERVFAIL, any other name NXDOMAIN.
 */
async function startDnsServer() {
  const txt = new Map<string, string[][]>();
  const queries: string[] = [];
  const { Packet } = dns2;
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const question = request.questions[0]!;
      const name = question.name.toLowerCase();
      queries.push(name);
      if (name === 'slow.test') return; // never answers: the resolver times out
      if (name === 'servfail.test') return send(Packet.createErrorResponseFromRequest(request, Packet.RCODE.SERVFAIL));
      const records = txt.get(name);
      if (!records) return send(Packet.createErrorResponseFromRequest(request, Packet.RCODE.NXDOMAIN));
      const response = Packet.createResponseFromRequest(request);
      if (question.type === Packet.TYPE.TXT) {
        for (const data of records) response.answers.push(Packet.createResourceFromQuestion(question, { type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data }));
      }
      void send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  return { txt, queries, port: server.addresses().udp!.port, close: () => server.close() };
}

/** Phone and domain verification over HTTP, with the kit served at `mount`. */
export function verificationSuite(mount: KitMount): void {
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      let clock: ManualClock;
      let twilio: TwilioStandIn;
      let dns: Awaited<ReturnType<typeof startDnsServer>>;

      const smsSender = () => createTwilioSmsSender({ accountSid: SID, authToken: TWILIO_TOKEN, from: '+15005550006', baseUrl: twilio.url });
      const options = () => ({ dnsServers: [`127.0.0.1:${dns.port}`], dnsTimeoutMs: 500 });
      /** The code in the newest SMS the provider received for `to`. */
      const codeSentTo = (to: string) => {
        const message = twilio.received.filter((form) => form.get('To') === to).at(-1);
        assert.ok(message, `no SMS was sent to ${to}`);
        const match = /\b(\d{6})\b/.exec(message.get('Body') ?? '');
        assert.ok(match, `no 6-digit code in "${message.get('Body')}"`);
        return match[1]!;
      };
      const post = (path: string, bearer: string | null, body: unknown, target: TestApp = app) => {
        const req = request(target.callback()).post(`/rest/v1${path}`);
        if (bearer) req.set('authorization', bearer);
        return req.send(body as object);
      };
      const get = (path: string, bearer: string | null, target: TestApp = app) => {
        const req = request(target.callback()).get(`/rest/v1${path}`);
        return bearer ? req.set('authorization', bearer) : req;
      };
      const myInfo = async (bearer: string, target: TestApp = app) => {
        const res = await get('/account/my_info', bearer, target);
        assert.equal(res.status, 200);
        return res.body.result as Record<string, unknown>;
      };

      before(async () => {
        db = await createTestDatabase(kind);
        twilio = await startTwilioStandIn({ accountSid: SID, authToken: TWILIO_TOKEN });
        dns = await startDnsServer();
        clock = createManualClock(Date.UTC(2026, 0, 1));
        kit = await authKit(db.url, options(), { services: { smsSender: smsSender(), clock }, config: { mountPath: mount.mountPath } });
        app = mountedApp(mount, kit);
      });
      after(async () => {
        await kit.close();
        await twilio.close();
        await dns.close();
        await db.drop();
      });

      describe('auth: phone verification (POST /verify/phone/step1, step2)', () => {
        it('sends a code by SMS; the right code verifies the number, which my_info then shows', async () => {
          const user = await createEndUser(kit);
          assert.equal((await myInfo(user.bearer))['phone_number_verified'], false);
          const phone = mobileNumber();
          const step1 = await post('/verify/phone/step1', user.bearer, { phone_number: phone });
          assert.equal(step1.status, 200);
          assert.equal(step1.body.status, 'ok');
          assert.equal(step1.body.error, null);
          assert.deepEqual(Object.keys(step1.body.result), ['tmp_token', 'code_sent']);
          assert.equal(step1.body.result.code_sent, true);
          assert.match(step1.body.result.tmp_token, /^[A-Za-z0-9_-]{20,}$/);
          const sms = twilio.received.at(-1)!;
          assert.equal(sms.get('To'), phone);
          assert.equal(sms.get('From'), '+15005550006');
          assert.match(sms.get('Body')!, /^Your Web3Connect verification code is \d{6}\. It expires in 10 minutes\.$/);

          const step2 = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code: codeSentTo(phone) });
          assert.equal(step2.status, 200);
          assert.deepEqual(step2.body, { status: 'ok', result: true, error: null });
          const info = await myInfo(user.bearer);
          assert.equal(info['phone_number'], phone);
          assert.equal(info['phone_number_verified'], true);
        });

        it('works for an organization too, and stores the Web3Connect document’s sample number in canonical E.164', async () => {
          const org = await createOrganization(kit);
          const step1 = await post('/verify/phone/step1', org.bearer, { phone_number: '+8860912345678' });
          assert.equal(step1.status, 200);
          const step2 = await post('/verify/phone/step2', org.bearer, { tmp_token: step1.body.result.tmp_token, code: codeSentTo('+886912345678') });
          assert.equal(step2.status, 200);
          const info = await myInfo(org.bearer);
          assert.equal(info['phone_number'], '+886912345678');
          assert.equal(info['phone_number_verified'], true);
        });

        it('a wrong code is 422 INVALID_CODE with the attempts left, and the right code still works after it', async () => {
          const user = await createEndUser(kit);
          const phone = mobileNumber();
          const step1 = await post('/verify/phone/step1', user.bearer, { phone_number: phone });
          const code = codeSentTo(phone);
          const wrong = code === '000000' ? '000001' : '000000';
          const res = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code: wrong });
          const error = expectEnvelopeError(res, 422, 'INVALID_CODE', 'The code is wrong.');
          assert.equal(error['attempts_left'], 4);
          assert.equal((await myInfo(user.bearer))['phone_number_verified'], false);
          const right = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code });
          assert.equal(right.status, 200);
          assert.equal(right.body.result, true);
        });

        it('after 5 wrong codes even the right one is 422 TOO_MANY_ATTEMPTS', async () => {
          const user = await createEndUser(kit);
          const phone = mobileNumber();
          const step1 = await post('/verify/phone/step1', user.bearer, { phone_number: phone });
          const code = codeSentTo(phone);
          const wrong = code === '999999' ? '999998' : '999999';
          for (let left = 4; left >= 0; left--) {
            const res = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code: wrong });
            assert.equal(expectEnvelopeError(res, 422, 'INVALID_CODE')['attempts_left'], left);
          }
          const res = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code });
          expectEnvelopeError(res, 422, 'TOO_MANY_ATTEMPTS', 'Too many wrong codes; request a new one.');
          const info = await myInfo(user.bearer);
          assert.equal(info['phone_number_verified'], false);
          assert.notEqual(info['phone_number'], phone);
        });

        it('an expired code is 422 CODE_EXPIRED', async () => {
          const user = await createEndUser(kit);
          const phone = mobileNumber();
          const step1 = await post('/verify/phone/step1', user.bearer, { phone_number: phone });
          clock.advance(600_000 + 1);
          const res = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code: codeSentTo(phone) });
          expectEnvelopeError(res, 422, 'CODE_EXPIRED', 'The code has expired or was already used; request a new one.');
          assert.equal((await myInfo(user.bearer))['phone_number_verified'], false);
        });

        it('a code is single-use; a newer code for the number replaces the older one', async () => {
          const user = await createEndUser(kit);
          const phone = mobileNumber();
          const first = await post('/verify/phone/step1', user.bearer, { phone_number: phone });
          const firstCode = codeSentTo(phone);
          const second = await post('/verify/phone/step1', user.bearer, { phone_number: phone });
          const secondCode = codeSentTo(phone);
          assert.notEqual(first.body.result.tmp_token, second.body.result.tmp_token);
          expectEnvelopeError(await post('/verify/phone/step2', user.bearer, { tmp_token: first.body.result.tmp_token, code: firstCode }), 422, 'UNKNOWN_TMP_TOKEN');
          const ok = await post('/verify/phone/step2', user.bearer, { tmp_token: second.body.result.tmp_token, code: secondCode });
          assert.equal(ok.status, 200);
          const again = await post('/verify/phone/step2', user.bearer, { tmp_token: second.body.result.tmp_token, code: secondCode });
          expectEnvelopeError(again, 422, 'CODE_EXPIRED');
        });

        it('another account’s tmp_token is not found, even with the right code, and stays usable by its owner', async () => {
          const owner = await createEndUser(kit);
          const other = await createEndUser(kit);
          const phone = mobileNumber();
          const step1 = await post('/verify/phone/step1', owner.bearer, { phone_number: phone });
          const code = codeSentTo(phone);
          for (const guess of [code, code === '123456' ? '654321' : '123456']) {
            const res = await post('/verify/phone/step2', other.bearer, { tmp_token: step1.body.result.tmp_token, code: guess });
            expectEnvelopeError(res, 422, 'UNKNOWN_TMP_TOKEN');
          }
          const otherInfo = await myInfo(other.bearer);
          assert.equal(otherInfo['phone_number_verified'], false);
          assert.notEqual(otherInfo['phone_number'], phone);
          // the owner's code lost no attempt and was not consumed
          const wrong = await post('/verify/phone/step2', owner.bearer, { tmp_token: step1.body.result.tmp_token, code: code === '000000' ? '000001' : '000000' });
          assert.equal(expectEnvelopeError(wrong, 422, 'INVALID_CODE')['attempts_left'], 4);
          const ok = await post('/verify/phone/step2', owner.bearer, { tmp_token: step1.body.result.tmp_token, code });
          assert.equal(ok.status, 200);
          assert.equal((await myInfo(owner.bearer))['phone_number'], phone);
        });

        it('an unknown tmp_token is 422 UNKNOWN_TMP_TOKEN, not "expired"', async () => {
          const user = await createEndUser(kit);
          const res = await post('/verify/phone/step2', user.bearer, { tmp_token: 'no-such-token', code: '123456' });
          expectEnvelopeError(
            res,
            422,
            'UNKNOWN_TMP_TOKEN',
            'No code of this account has this tmp_token: it was never issued to this account, a newer code replaced it, or it expired and was cleared; request a new code with step 1.',
          );
        });

        it('a number that is not strict E.164 or not a valid mobile number is 400 INVALID_PHONE_NUMBER, and nothing is sent', async () => {
          const user = await createEndUser(kit);
          const sent = twilio.received.length;
          const strict = 'phone_number must be a valid mobile number in E.164 format (e.g. +14155550100).';
          const cases: [string, string | RegExp][] = [
            ['0912345678', strict],
            ['+12', /^\+12 is not a valid phone number/],
            ['+1 415 555 0100', strict],
            ['+1-415-555-0100', strict],
            ['+1415555010a', strict],
            ['phone', strict],
            ['', strict],
            ['+0123456789', strict],
            ['+1234567890123456', strict],
            ['+999123456789', /^\+999123456789 is not a valid phone number/],
            ['+33012345678', /^\+33012345678 is not a valid phone number/],
            ['+442071838750', /^\+442071838750 is a fixed line number, which cannot receive SMS; use a mobile number\.$/],
            ['+18005550100', /is a toll free number/],
          ];
          for (const [phone_number, message] of cases) {
            const res = await post('/verify/phone/step1', user.bearer, { phone_number });
            expectEnvelopeError(res, 400, 'INVALID_PHONE_NUMBER', message);
          }
          assert.equal(twilio.received.length, sent);
        });

        it('missing or wrong-typed fields and a malformed code are 400 VALIDATION_FAILED naming the field', async () => {
          const user = await createEndUser(kit);
          const cases: [string, unknown, string[]][] = [
            ['/verify/phone/step1', {}, ['phone_number: is required.']],
            ['/verify/phone/step1', { phone_number: 33612345678 }, ['phone_number: not a valid string.']],
            ['/verify/phone/step1', { phone_number: null }, ['phone_number: not a valid string.']],
            ['/verify/phone/step1', ['+33612345678'], ['body: not a valid object.']],
            ['/verify/phone/step2', {}, ['tmp_token: is required.', 'code: is required.']],
            ['/verify/phone/step2', { tmp_token: 'abc', code: 123456 }, ['code: not a valid string.']],
            ['/verify/phone/step2', { tmp_token: 'abc', code: '12345' }, ['code: has an invalid format.']],
            ['/verify/phone/step2', { tmp_token: 'abc', code: '1234567' }, ['code: has an invalid format.']],
            ['/verify/phone/step2', { tmp_token: 'abc', code: '12345a' }, ['code: has an invalid format.']],
            ['/verify/phone/step2', { tmp_token: '', code: '123456' }, ['tmp_token: must be at least 1 characters.']],
            ['/verify/phone/step2', { tmp_token: 42, code: '123456' }, ['tmp_token: not a valid string.']],
          ];
          for (const [path, body, issues] of cases) {
            const res = await post(path, user.bearer, body);
            const error = expectEnvelopeError(res, 400, 'VALIDATION_FAILED');
            assert.deepEqual(error['issues'], issues, `${path} ${JSON.stringify(body)}`);
          }
        });

        it('malformed JSON is 400 INVALID_JSON in the envelope', async () => {
          const user = await createEndUser(kit);
          for (const path of ['/verify/phone/step1', '/verify/phone/step2']) {
            const res = await request(app.callback()).post(`/rest/v1${path}`).set('authorization', user.bearer).set('content-type', 'application/json').send('{"phone_number": "+336');
            expectEnvelopeError(res, 400, 'INVALID_JSON', 'The request body is not valid JSON (it ends too early at line 1, column 23, position 22).');
          }
        });

        it('without a token is 401 UNAUTHENTICATED; with a bad token 401 INVALID_TOKEN; nothing is sent', async () => {
          const sent = twilio.received.length;
          const bodies = { '/verify/phone/step1': { phone_number: mobileNumber() }, '/verify/phone/step2': { tmp_token: 'abc', code: '123456' } };
          for (const [path, body] of Object.entries(bodies)) {
            expectEnvelopeError(await post(path, null, body), 401, 'UNAUTHENTICATED', 'Authorization: Bearer <ACCESS_TOKEN> is required.');
            for (const bad of ['Bearer not-a-jwt', 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'Basic dXNlcjpwYXNz']) {
              expectEnvelopeError(await post(path, bad, body), 401, 'INVALID_TOKEN', 'The access token is invalid or expired.');
            }
          }
          assert.equal(twilio.received.length, sent);
        });

        it('sends are limited per number (3 per 10 minutes) with a 429 envelope and retry-after', async () => {
          const phone = mobileNumber();
          const users = await Promise.all([createEndUser(kit), createEndUser(kit)]);
          for (let i = 0; i < 3; i++) assert.equal((await post('/verify/phone/step1', users[i % 2]!.bearer, { phone_number: phone })).status, 200);
          const sent = twilio.received.length;
          // another account asking for the same number is refused too: the limit protects the number
          const res = await post('/verify/phone/step1', users[1].bearer, { phone_number: phone });
          expectEnvelopeError(res, 429, 'RATE_LIMITED', 'Too many requests; try again later.');
          assert.ok(Number(res.headers['retry-after']) >= 1 && Number(res.headers['retry-after']) <= 600);
          assert.equal(twilio.received.length, sent);
          clock.advance(600_000);
          assert.equal((await post('/verify/phone/step1', users[0].bearer, { phone_number: phone })).status, 200);
        });

        it('sends are limited per account (10 per hour), whatever the number', async () => {
          clock.advance(3_600_000); // a fresh hour window
          const user = await createEndUser(kit);
          for (let i = 0; i < 10; i++) assert.equal((await post('/verify/phone/step1', user.bearer, { phone_number: mobileNumber() })).status, 200);
          expectEnvelopeError(await post('/verify/phone/step1', user.bearer, { phone_number: mobileNumber() }), 429, 'RATE_LIMITED');
          const other = await createEndUser(kit);
          assert.equal((await post('/verify/phone/step1', other.bearer, { phone_number: mobileNumber() })).status, 200);
        });

        it('a number the SMS provider refuses is 422 SMS_NOT_SENT', async () => {
          const user = await createEndUser(kit);
          twilio.respondWith(() => ({ status: 400, body: { code: 21614, message: 'not a mobile number' } }));
          try {
            const res = await post('/verify/phone/step1', user.bearer, { phone_number: mobileNumber() });
            const error = expectEnvelopeError(res, 422, 'SMS_NOT_SENT', 'The phone number cannot receive SMS.');
            assert.equal(error['provider_code'], 21614);
          } finally {
            twilio.respondWith(() => ({ status: 201, body: { sid: 'SM1', status: 'queued' } }));
          }
        });

        it('two instances on one database: a code sent through A verifies through B', async () => {
          const a = await authKit(db.url, options(), { services: { smsSender: smsSender() }, config: { mountPath: mount.mountPath } });
          const b = await authKit(db.url, options(), { services: { smsSender: smsSender() }, config: { mountPath: mount.mountPath } });
          try {
            const appA = mountedApp(mount, a);
            const appB = mountedApp(mount, b);
            const user = await createEndUser(a);
            const phone = mobileNumber();
            const step1 = await post('/verify/phone/step1', user.bearer, { phone_number: phone }, appA);
            assert.equal(step1.status, 200);
            const step2 = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code: codeSentTo(phone) }, appB);
            assert.deepEqual(step2.body, { status: 'ok', result: true, error: null });
            assert.equal((await myInfo(user.bearer, appA))['phone_number_verified'], true);
            // and the code, consumed on B, is gone on A
            const again = await post('/verify/phone/step2', user.bearer, { tmp_token: step1.body.result.tmp_token, code: codeSentTo(phone) }, appA);
            expectEnvelopeError(again, 422, 'CODE_EXPIRED');
          } finally {
            await a.close();
            await b.close();
          }
        });

        it('production mode refuses the development SMS and email senders, naming the auth plugin', async () => {
          await assert.rejects(
            createKit({ database: db.url, plugins: [auth()], config: { masterKey: MASTER_KEY, mode: 'production', passwordHashCost: 15, housekeepingIntervalSeconds: 0 } }),
            (error: unknown) => {
              assert.ok(error instanceof KitConfigError);
              assert.deepEqual(error.problems, [
                'smsSender: the development log sender cannot run in production (used by auth); configure a real sender',
                // email verification codes and the association sign-up's emails
                'emailSender: the development log sender cannot run in production (used by auth); configure a real sender',
              ]);
              return true;
            },
          );
        });
      });

      describe('auth: domain verification (GET /verify/domain/step1, step2)', () => {
        let domainCounter = 0;
        /** An organization on a fresh domain name of the local DNS server. */
        const newOrganization = () => createOrganization(kit, `org-${kind}-${domainCounter++}.test`);
        const step1 = async (bearer: string) => {
          const res = await get('/verify/domain/step1', bearer);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          return res.body.result as { txt_record: string; domain: string };
        };

        it('step1 returns the TXT record to publish on the organization’s domain, the same one every time', async () => {
          const org = await newOrganization();
          const res = await get('/verify/domain/step1', org.bearer);
          assert.equal(res.body.status, 'ok');
          assert.equal(res.body.error, null);
          assert.deepEqual(Object.keys(res.body.result), ['txt_record', 'domain']);
          assert.equal(res.body.result.domain, org.account.domain);
          assert.match(res.body.result.txt_record, /^web3connect-domain-verification=[A-Za-z0-9_-]{32}$/);
          assert.deepEqual(await step1(org.bearer), res.body.result);
          const other = await newOrganization();
          assert.notEqual((await step1(other.bearer)).txt_record, res.body.result.txt_record);
        });

        it('concurrent first calls of step1 hand out one value, the stored one', async () => {
          const org = await newOrganization();
          const principal = { accountId: org.account.id, accountType: 'organization' as const };
          const results = await Promise.all(Array.from({ length: 5 }, () => kit.services.verificationService.domainStep1(principal)));
          assert.deepEqual(new Set(results.map((r) => r.txt_record)), new Set([(await step1(org.bearer)).txt_record]));
        });

        it('step2 finds the record among the domain’s TXT records, verifies the domain, and my_info shows it', async () => {
          const org = await newOrganization();
          const { txt_record, domain } = await step1(org.bearer);
          assert.equal((await myInfo(org.bearer))['domain_verified'], false);
          dns.txt.set(domain, [['v=spf1 -all'], [txt_record], ['google-site-verification=abc']]);
          const res = await get('/verify/domain/step2', org.bearer);
          assert.equal(res.status, 200);
          assert.deepEqual(res.body, { status: 'ok', result: true, error: null });
          assert.ok(dns.queries.includes(domain));
          const info = await myInfo(org.bearer);
          assert.equal(info['domain'], domain);
          assert.equal(info['domain_verified'], true);
          assert.equal((await kit.services.accountDirectory.get(org.account.id))?.domainVerified, true);
          // verified stays verified, without asking DNS again; step1 keeps its value
          dns.txt.delete(domain);
          const queries = dns.queries.length;
          assert.equal((await get('/verify/domain/step2', org.bearer)).body.result, true);
          assert.equal(dns.queries.length, queries);
          assert.equal((await step1(org.bearer)).txt_record, txt_record);
        });

        it('a record split into several character-strings is joined before comparing', async () => {
          const org = await newOrganization();
          const { txt_record, domain } = await step1(org.bearer);
          dns.txt.set(domain, [[txt_record.slice(0, 10), txt_record.slice(10, 40), txt_record.slice(40)]]);
          const res = await get('/verify/domain/step2', org.bearer);
          assert.deepEqual(res.body, { status: 'ok', result: true, error: null });
        });

        it('no matching record, a different value, no TXT at all and NXDOMAIN are 422 DOMAIN_NOT_VERIFIED saying what was expected where', async () => {
          const org = await newOrganization();
          const { txt_record, domain } = await step1(org.bearer);
          const cases: [string[][] | undefined, string][] = [
            [[['v=spf1 -all']], `Expected the TXT record "${txt_record}" on ${domain}; none of its 1 TXT record(s) matches.`],
            [[[`${TXT_PREFIX}an-old-value`]], `Expected the TXT record "${txt_record}" on ${domain}; found "${TXT_PREFIX}an-old-value" instead.`],
            [[[txt_record.slice(0, -1)]], `Expected the TXT record "${txt_record}" on ${domain}; found "${txt_record.slice(0, -1)}" instead.`],
            [[], `${domain} has no TXT record; publish the TXT record "${txt_record}" on ${domain}.`],
            [undefined, `${domain} does not exist in DNS; publish the TXT record "${txt_record}" on ${domain}.`],
          ];
          for (const [records, message] of cases) {
            if (records) dns.txt.set(domain, records);
            else dns.txt.delete(domain);
            const error = expectEnvelopeError(await get('/verify/domain/step2', org.bearer), 422, 'DOMAIN_NOT_VERIFIED', message);
            assert.equal(error['domain'], domain);
            assert.equal(error['txt_record'], txt_record);
          }
          assert.equal((await myInfo(org.bearer))['domain_verified'], false);
        });

        it('a DNS server that does not answer, or answers SERVFAIL, is 503 DNS_UNAVAILABLE', async () => {
          for (const [domain, code] of [
            ['slow.test', 'ETIMEOUT'],
            ['servfail.test', 'ESERVFAIL'],
          ] as const) {
            const org = await createOrganization(kit, domain);
            await step1(org.bearer);
            const started = Date.now();
            const res = await get('/verify/domain/step2', org.bearer);
            expectEnvelopeError(res, 503, 'DNS_UNAVAILABLE', `The DNS lookup of ${domain} failed (${code}); try again later.`);
            if (code === 'ETIMEOUT') assert.ok(Date.now() - started < 3000, 'the timeout is the configured one');
            assert.equal((await myInfo(org.bearer))['domain_verified'], false);
          }
        });

        it('a DNS server that cannot be reached is 503 DNS_UNAVAILABLE', async () => {
          const org = await newOrganization();
          await step1(org.bearer);
          const unreachable = await authKit(db.url, { dnsServers: ['127.0.0.1:9'], dnsTimeoutMs: 300 }, { services: { clock }, config: { mountPath: mount.mountPath } });
          try {
            const res = await request(mountedApp(mount, unreachable).callback()).get('/rest/v1/verify/domain/step2').set('authorization', org.bearer);
            expectEnvelopeError(res, 503, 'DNS_UNAVAILABLE', /^The DNS lookup of org-.*\.test failed \((ECONNREFUSED|ETIMEOUT)\); try again later\.$/);
          } finally {
            await unreachable.close();
          }
        });

        it('step2 before step1 is 409 DOMAIN_TXT_NOT_ISSUED, without a DNS query', async () => {
          const org = await newOrganization();
          const queries = dns.queries.length;
          expectEnvelopeError(await get('/verify/domain/step2', org.bearer), 409, 'DOMAIN_TXT_NOT_ISSUED', 'Call GET /verify/domain/step1 first to get the TXT record to publish.');
          assert.equal(dns.queries.length, queries);
        });

        it('an end user is 403 ORGANIZATION_ONLY; no token 401; a bad token 401', async () => {
          const user = await createEndUser(kit);
          for (const path of ['/verify/domain/step1', '/verify/domain/step2']) {
            expectEnvelopeError(await get(path, user.bearer), 403, 'ORGANIZATION_ONLY', 'Only an organization account can do this.');
            expectEnvelopeError(await get(path, null), 401, 'UNAUTHENTICATED');
            expectEnvelopeError(await get(path, 'Bearer a.b.c'), 401, 'INVALID_TOKEN');
          }
        });

        it('step2 is limited per organization (10 per minute) with a 429 envelope', async () => {
          const org = await newOrganization();
          await step1(org.bearer);
          for (let i = 0; i < 10; i++) expectEnvelopeError(await get('/verify/domain/step2', org.bearer), 422, 'DOMAIN_NOT_VERIFIED');
          const queries = dns.queries.length;
          const res = await get('/verify/domain/step2', org.bearer);
          expectEnvelopeError(res, 429, 'RATE_LIMITED');
          assert.ok(Number(res.headers['retry-after']) >= 1 && Number(res.headers['retry-after']) <= 60);
          assert.equal(dns.queries.length, queries, 'a refused check does not query DNS');
          const other = await newOrganization();
          await step1(other.bearer);
          expectEnvelopeError(await get('/verify/domain/step2', other.bearer), 422, 'DOMAIN_NOT_VERIFIED');
        });

        it('a host can put its own txtResolver in the container', async () => {
          const asked: string[] = [];
          let published = '';
          const txtResolver = {
            async resolveTxt(domain: string) {
              asked.push(domain);
              return [[published]];
            },
          };
          const custom = await authKit(db.url, {}, { services: { txtResolver }, config: { mountPath: mount.mountPath } });
          try {
            const org = await createOrganization(custom);
            const target = mountedApp(mount, custom);
            published = (await request(target.callback()).get('/rest/v1/verify/domain/step1').set('authorization', org.bearer)).body.result.txt_record;
            const res = await request(target.callback()).get('/rest/v1/verify/domain/step2').set('authorization', org.bearer);
            assert.deepEqual(res.body, { status: 'ok', result: true, error: null });
            assert.deepEqual(asked, [org.account.domain]);
          } finally {
            await custom.close();
          }
        });
      });
    });
  }
}
