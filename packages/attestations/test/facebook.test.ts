import assert from 'node:assert/strict';
import { testDatabases } from '@w3kit/core/testing';
import request from 'supertest';
import { FACEBOOK_APP, startFacebookStandIn, type FacebookStandIn } from './facebook-stand-in.js';
import { authUrl, followProviderRedirect, harnessPerTest, loadRedirectPage, PUBLIC_URL, runRedirectPage, SEED, signInThroughProvider, type Harness } from './support.js';

const IDENTITY = SEED.socialIdentity;
const REDIRECT_URI = `${PUBLIC_URL}/redirects/facebook/`;

const verify = (h: Harness, body: object) => request(h.app.callback()).post('/api/attestations/facebook/verify').send(body);
const startFlow = (h: Harness, ip?: string) => authUrl(h, 'facebook', ip);
const signIn = async (h: Harness) => {
  const result = await signInThroughProvider(h, 'facebook');
  return { ...result, code: result.grant };
};

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations: facebook', () => {
      let fb: FacebookStandIn;
      let h: Harness;
      before(async () => {
        fb = await startFacebookStandIn();
      });
      after(() => fb.close());
      beforeEach(() => {
        fb.setDeny(false);
        fb.setOutage(false);
      });
      harnessPerTest(
        kind,
        (harness) => (h = harness),
        () => ({ plugin: { facebook: { ...FACEBOOK_APP, dialogBaseUrl: fb.url, graphBaseUrl: fb.url } } }),
      );

      it('auth-url is the login dialog with client_id, the redirect page as redirect_uri, and a state', async () => {
        const url = await startFlow(h);
        assert.equal(`${url.origin}${url.pathname}`, `${fb.url}/v19.0/dialog/oauth`);
        assert.equal(url.searchParams.get('client_id'), FACEBOOK_APP.appId);
        assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
        assert.equal(url.searchParams.get('response_type'), 'code');
        assert.match(url.searchParams.get('state')!, /^[A-Za-z0-9_-]{32}$/);
        assert.notEqual((await startFlow(h)).searchParams.get('state'), url.searchParams.get('state'));
      });

      it('dialog → redirect page posts facebook-code:<code> → verify answers the Origin attestations document facebook claim byte for byte', async () => {
        const { back, page, run, code } = await signIn(h);
        assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
        assert.equal(page.status, 200);
        assert.match(page.headers['content-type']!, /^text\/html; charset=utf-8/);
        assert.equal(page.headers['cache-control'], 'no-store');
        assert.equal(page.headers['referrer-policy'], 'no-referrer');
        assert.deepEqual(run, { posted: [[`facebook-code:${back.searchParams.get('code')}`, '*']], closed: true });

        const res = await verify(h, { identity: IDENTITY, code });
        assert.equal(res.status, 200);
        assert.equal(res.text, JSON.stringify(SEED.facebook), 'the Origin attestations document response, byte for byte');
        const me = fb.calls.filter((c) => c.path === '/v19.0/me').at(-1)!;
        assert.match(me.params.get('appsecret_proof')!, /^[0-9a-f]{64}$/, 'the stand-in checked appsecret_proof');
        assert.equal(
          fb.calls
            .filter((c) => c.path === '/v19.0/oauth/access_token')
            .at(-1)!
            .params.get('redirect_uri'),
          REDIRECT_URI,
        );
      });

      it('a flow verifies once', async () => {
        const { code } = await signIn(h);
        assert.equal((await verify(h, { identity: IDENTITY, code })).status, 200);
        const again = await verify(h, { identity: IDENTITY, code });
        assert.deepEqual([again.status, again.body], [422, { errors: ['No Facebook sign-in is pending for this code; start again.'] }]);
      });

      it('a code that did not come back through a flow of this server is refused before Facebook is asked', async () => {
        const stray = fb.issueCode(REDIRECT_URI);
        const exchanges = fb.calls.filter((c) => c.path.endsWith('/oauth/access_token')).length;
        const res = await verify(h, { identity: IDENTITY, code: stray });
        assert.deepEqual([res.status, res.body], [422, { errors: ['No Facebook sign-in is pending for this code; start again.'] }]);
        assert.equal(fb.calls.filter((c) => c.path.endsWith('/oauth/access_token')).length, exchanges);
      });

      it('the redirect page refuses an unknown state, a replayed return and an expired flow, posting nothing', async () => {
        const forged = await loadRedirectPage(h, new URL(`${REDIRECT_URI}?code=abc&state=forged`));
        assert.equal(forged.status, 400);
        assert.match(forged.text, /unknown, has expired or was already used/);
        assert.equal(runRedirectPage(forged.text, forged.headers['content-security-policy']), null);

        const back = await followProviderRedirect((await startFlow(h)).toString());
        assert.equal((await loadRedirectPage(h, back)).status, 200);
        const replay = await loadRedirectPage(h, back);
        assert.equal(replay.status, 400, 'the state is single-use');

        const late = await followProviderRedirect((await startFlow(h)).toString());
        h.clock.advance(10 * 60_000);
        const expired = await loadRedirectPage(h, late);
        assert.equal(expired.status, 400);
        assert.equal(runRedirectPage(expired.text, expired.headers['content-security-policy']), null);

        const missing = await loadRedirectPage(h, new URL(`${REDIRECT_URI}?state=only`));
        assert.equal(missing.status, 400);
        const huge = await loadRedirectPage(h, new URL(`${REDIRECT_URI}?state=s&code=${'x'.repeat(2049)}`));
        assert.deepEqual([huge.status, huge.body], [400, { errors: ['query.code: must be at most 2048 characters.'] }]);
      });

      it('a verify after the flow expired is refused', async () => {
        const { code } = await signIn(h);
        h.clock.advance(10 * 60_000);
        const res = await verify(h, { identity: IDENTITY, code });
        assert.deepEqual([res.status, res.body], [422, { errors: ['No Facebook sign-in is pending for this code; start again.'] }]);
      });

      it('expired flows are deleted by the kit’s housekeeping sweep', async () => {
        const flows = () => h.kit.services.db.withTables<{ w3kit_attestation_oauth_flows: { id: string } }>().selectFrom('w3kit_attestation_oauth_flows').select('id').execute();
        await startFlow(h);
        await startFlow(h);
        assert.equal((await flows()).length, 2);
        h.clock.advance(10 * 60_000);
        await startFlow(h);
        await h.kit.runHousekeeping();
        assert.equal((await flows()).length, 1, 'the two expired flows are gone, the new one stays');
      });

      it('a user who cancels sees a page that posts nothing', async () => {
        fb.setDeny(true);
        const back = await followProviderRedirect((await startFlow(h)).toString());
        assert.equal(back.searchParams.get('error'), 'access_denied');
        const page = await loadRedirectPage(h, back);
        assert.equal(page.status, 200);
        assert.match(page.text, /cancelled/);
        assert.equal(runRedirectPage(page.text, page.headers['content-security-policy']), null);
      });

      it('a code Facebook refuses is a 422; Facebook down is a 503', async () => {
        const url = await startFlow(h);
        const forged = await loadRedirectPage(h, new URL(`${REDIRECT_URI}?code=forged-code&state=${url.searchParams.get('state')}`));
        assert.equal(forged.status, 200, 'the page cannot tell a forged code; Facebook can');
        const refused = await verify(h, { identity: IDENTITY, code: 'forged-code' });
        assert.deepEqual([refused.status, refused.body], [422, { errors: ['Facebook did not accept the code.'] }]);

        const { code } = await signIn(h);
        fb.setOutage(true);
        const down = await verify(h, { identity: IDENTITY, code });
        assert.deepEqual([down.status, down.body], [503, { errors: ['Facebook is unavailable.'] }]);
      });

      it('values in the page script are JSON-encoded: a hostile code cannot break out', async () => {
        const url = await startFlow(h);
        const hostile = `</script><script>alert(1)</script><!--\u2028"'\\`;
        const back = new URL(REDIRECT_URI);
        back.searchParams.set('code', hostile);
        back.searchParams.set('state', url.searchParams.get('state')!);
        const page = await loadRedirectPage(h, back);
        assert.equal(page.status, 200);
        assert.ok(!page.text.includes('</script><script>') && !page.text.includes('<!--'), page.text);
        assert.deepEqual(runRedirectPage(page.text, page.headers['content-security-policy'])?.posted, [[`facebook-code:${hostile}`, '*']]);
      });

      it('rate limit: 20 flows per client IP per 10 minutes', async () => {
        for (let i = 0; i < 20; i++) await startFlow(h, '198.51.100.9');
        const refused = await request(h.app.callback()).get('/api/attestations/facebook/auth-url').set('x-forwarded-for', '198.51.100.9');
        assert.deepEqual([refused.status, refused.body], [429, { errors: ['Too many requests; try again later.'] }]);
        await startFlow(h, '198.51.100.10');
      });

      it('validation errors are 400', async () => {
        const cases: [object, string[]][] = [
          [{}, ['code: is required.', 'identity: is required.']],
          [{ identity: IDENTITY, code: '' }, ['code: must be at least 1 characters.']],
          [{ identity: 'me', code: 'abc' }, ['identity: has an invalid format.']],
          [{ identity: IDENTITY, code: 12345 }, ['code: not a valid string.']],
        ];
        for (const [body, errors] of cases) {
          const res = await verify(h, body);
          assert.deepEqual([res.status, res.body], [400, { errors }], JSON.stringify(body));
        }
      });
    });

    describe('attestations: facebook not configured', () => {
      let h: Harness;
      harnessPerTest(kind, (harness) => (h = harness), { plugin: { openerOrigin: 'https://dapp.example' } });

      it('answers 422 "Facebook is not configured on this server."', async () => {
        const url = await request(h.app.callback()).get('/api/attestations/facebook/auth-url');
        assert.deepEqual([url.status, url.body], [422, { errors: ['Facebook is not configured on this server.'] }]);
        const res = await verify(h, { identity: IDENTITY, code: 'abc' });
        assert.deepEqual([res.status, res.body], [422, { errors: ['Facebook is not configured on this server.'] }]);
        const page = await loadRedirectPage(h, new URL(`${REDIRECT_URI}?code=abc&state=def`));
        assert.equal(page.status, 400);
      });
    });
  });
}
