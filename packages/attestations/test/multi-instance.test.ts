import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { followProviderRedirect, SEED, startHarness, TEST_SIGNER_ADDRESS, type Harness } from './support.js';
import { startTwitterStandIn, TWITTER_APP, type TwitterStandIn } from './twitter-stand-in.js';

const PHONE = '+14155552671';
const IDENTITY = SEED.phoneIdentity;
const post = (h: Harness, path: string, body: object, ip = '203.0.113.1') => request(h.app.callback()).post(`/api/attestations${path}`).set('x-forwarded-for', ip).send(body);

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations: two instances on one database', () => {
      let tw: TwitterStandIn;
      let testDb: TestDatabase;
      let a: Harness;
      let b: Harness;
      before(async () => {
        tw = await startTwitterStandIn();
      });
      after(() => tw.close());
      beforeEach(async () => {
        testDb = await createTestDatabase(kind);
        const options = { plugin: { twitter: { ...TWITTER_APP, apiBaseUrl: tw.url } } };
        [a, b] = await Promise.all([startHarness(testDb.url, options), startHarness(testDb.url, options)]);
      });
      afterEach(async () => {
        await Promise.all([a.close(), b.close()]);
        await testDb.drop();
      });

      it('a code sent through instance A verifies through instance B, once', async () => {
        assert.equal((await post(a, '/phone/generate-code', { phone: PHONE })).status, 200);
        const code = a.lastSmsCode(PHONE);
        assert.equal(b.twilio.received.length, 0);
        const res = await post(b, '/phone/verify', { identity: IDENTITY, phone: PHONE, code });
        assert.deepEqual([res.status, res.body], [200, SEED.phone]);
        assert.equal((await post(a, '/phone/verify', { identity: IDENTITY, phone: PHONE, code })).status, 422, 'used up for A too');

        assert.equal((await post(b, '/email/generate-code', { email: 'ada@example.com' })).status, 200);
        const mailed = await post(a, '/email/verify', { identity: IDENTITY, email: 'ada@example.com', code: b.lastEmailCode('ada@example.com') });
        assert.equal(mailed.status, 200);
      });

      it('send limits are shared: 3 codes per number across both instances', async () => {
        assert.equal((await post(a, '/phone/generate-code', { phone: PHONE }, '198.51.100.1')).status, 200);
        assert.equal((await post(b, '/phone/generate-code', { phone: PHONE }, '198.51.100.2')).status, 200);
        assert.equal((await post(a, '/phone/generate-code', { phone: PHONE }, '198.51.100.3')).status, 200);
        const refused = await post(b, '/phone/generate-code', { phone: PHONE }, '198.51.100.4');
        assert.deepEqual([refused.status, refused.body], [429, { errors: ['Too many requests; try again later.'] }]);
      });

      it('wrong tries count across instances: 5 split over A and B kill the code', async () => {
        await post(a, '/email/generate-code', { email: 'ada@example.com' });
        const code = a.lastEmailCode('ada@example.com');
        const wrong = code === '999999' ? '000000' : '999999';
        for (let i = 0; i < 5; i++) {
          const res = await post(i % 2 ? a : b, '/email/verify', { identity: IDENTITY, email: 'ada@example.com', code: wrong });
          assert.equal(res.status, 422);
        }
        const right = await post(b, '/email/verify', { identity: IDENTITY, email: 'ada@example.com', code });
        assert.deepEqual(right.body, { errors: ['Too many wrong attempts; request a new code.'] });
      });

      it('a Twitter flow started on A returns on B and verifies on A', async () => {
        const started = await request(a.app.callback()).get('/api/attestations/twitter/auth-url');
        const back = await followProviderRedirect(started.body.url as string);
        const page = await request(b.app.callback()).get(`${back.pathname}${back.search}`);
        assert.equal(page.status, 200);
        const res = await post(a, '/twitter/verify', { identity: SEED.socialIdentity, 'oauth-verifier': back.searchParams.get('oauth_verifier') });
        assert.deepEqual([res.status, res.body], [200, SEED.twitter]);
        assert.deepEqual(tw.refusals, []);
      });

      it('GET /signer tells clients which address signs the claims', async () => {
        for (const h of [a, b]) {
          const res = await request(h.app.callback()).get('/api/attestations/signer');
          assert.deepEqual([res.status, res.body], [200, { address: TEST_SIGNER_ADDRESS }]);
        }
      });
    });
  });
}
