import assert from 'node:assert/strict';
import { testDatabases } from '@w3kit/core/testing';
import request from 'supertest';
import { authUrl, followProviderRedirect, harnessPerTest, loadRedirectPage, PUBLIC_URL, runRedirectPage, SEED, signInThroughProvider, type Harness } from './support.js';
import { startTwitterStandIn, TWITTER_APP, type TwitterStandIn } from './twitter-stand-in.js';

const IDENTITY = SEED.socialIdentity;
const CALLBACK = `${PUBLIC_URL}/redirects/twitter/`;

const verify = (h: Harness, body: object) => request(h.app.callback()).post('/api/attestations/twitter/verify').send(body);
const startFlow = (h: Harness) => authUrl(h, 'twitter');
const signIn = async (h: Harness) => {
  const result = await signInThroughProvider(h, 'twitter');
  return { ...result, verifier: result.grant };
};

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations: twitter', () => {
      let tw: TwitterStandIn;
      let h: Harness;
      before(async () => {
        tw = await startTwitterStandIn();
      });
      after(() => tw.close());
      beforeEach(() => {
        tw.setDeny(false);
        tw.refusals.length = 0;
      });
      harnessPerTest(
        kind,
        (harness) => (h = harness),
        () => ({ plugin: { twitter: { ...TWITTER_APP, apiBaseUrl: tw.url }, openerOrigin: 'https://dapp.example' } }),
      );

      it('auth-url gets a request token (signed, with the callback) and answers the authenticate URL', async () => {
        const url = await startFlow(h);
        assert.equal(`${url.origin}${url.pathname}`, `${tw.url}/oauth/authenticate`);
        assert.match(url.searchParams.get('oauth_token')!, /^[0-9a-f]{32}$/);
        assert.equal((await followProviderRedirect(url.toString())).toString().split('?')[0], CALLBACK, 'Twitter calls back to the redirect page');
        assert.deepEqual(tw.refusals, []);
      });

      it('authenticate → redirect page posts twitter-oauth-verifier:<v> → verify answers the Origin attestations document twitter claim byte for byte', async () => {
        const { back, page, run, verifier } = await signIn(h);
        assert.equal(page.status, 200);
        assert.deepEqual(run, { posted: [[`twitter-oauth-verifier:${back.searchParams.get('oauth_verifier')}`, 'https://dapp.example']], closed: true });
        const res = await verify(h, { identity: IDENTITY, 'oauth-verifier': verifier });
        assert.equal(res.status, 200);
        assert.equal(res.text, JSON.stringify(SEED.twitter), 'the Origin attestations document response, byte for byte');
        assert.deepEqual(tw.refusals, [], 'every call carried a valid OAuth 1.0a signature');
        const again = await verify(h, { identity: IDENTITY, 'oauth-verifier': verifier });
        assert.deepEqual([again.status, again.body], [422, { errors: ['No Twitter sign-in is pending for this verifier; start again.'] }]);
      });

      it('a client that names its oauth-token verifies without the redirect page', async () => {
        const url = await startFlow(h);
        const back = await followProviderRedirect(url.toString());
        const res = await verify(h, { identity: IDENTITY, 'oauth-token': url.searchParams.get('oauth_token'), 'oauth-verifier': back.searchParams.get('oauth_verifier') });
        assert.deepEqual([res.status, res.body], [200, SEED.twitter]);
      });

      it('with oauth-token, a verifier other than the one the redirect page saw is refused and the flow stays usable', async () => {
        const { url, verifier } = await signIn(h);
        const token = url.searchParams.get('oauth_token');
        const wrong = await verify(h, { identity: IDENTITY, 'oauth-token': token, 'oauth-verifier': 'not-the-verifier' });
        assert.deepEqual([wrong.status, wrong.body], [422, { errors: ['No Twitter sign-in is pending for this verifier; start again.'] }]);
        assert.equal((await verify(h, { identity: IDENTITY, 'oauth-token': token, 'oauth-verifier': verifier })).status, 200);
      });

      it('a verifier Twitter refuses is a 422, and the flow is spent', async () => {
        const url = await startFlow(h);
        const token = url.searchParams.get('oauth_token');
        const right = (await followProviderRedirect(url.toString())).searchParams.get('oauth_verifier');
        const res = await verify(h, { identity: IDENTITY, 'oauth-token': token, 'oauth-verifier': 'guessed' });
        assert.deepEqual([res.status, res.body], [422, { errors: ['Twitter did not accept the request.'] }]);
        assert.deepEqual(tw.refusals, ['wrong verifier']);
        const after = await verify(h, { identity: IDENTITY, 'oauth-token': token, 'oauth-verifier': right });
        assert.deepEqual([after.status, after.body], [422, { errors: ['No Twitter sign-in is pending for this verifier; start again.'] }]);
      });

      it('an unknown verifier is refused before Twitter is asked', async () => {
        const res = await verify(h, { identity: IDENTITY, 'oauth-verifier': 'never-seen' });
        assert.deepEqual([res.status, res.body], [422, { errors: ['No Twitter sign-in is pending for this verifier; start again.'] }]);
      });

      it('the redirect page refuses an unknown token, a replayed return and an expired flow; a denial posts nothing', async () => {
        const unknown = await loadRedirectPage(h, new URL(`${CALLBACK}?oauth_token=nope&oauth_verifier=v`));
        assert.equal(unknown.status, 400);
        assert.equal(runRedirectPage(unknown.text, unknown.headers['content-security-policy']), null);

        const back = await followProviderRedirect((await startFlow(h)).toString());
        assert.equal((await loadRedirectPage(h, back)).status, 200);
        assert.equal((await loadRedirectPage(h, back)).status, 400, 'a flow returns once');

        const late = await followProviderRedirect((await startFlow(h)).toString());
        h.clock.advance(10 * 60_000);
        assert.equal((await loadRedirectPage(h, late)).status, 400);

        tw.setDeny(true);
        const denied = await followProviderRedirect((await startFlow(h)).toString());
        const page = await loadRedirectPage(h, denied);
        assert.equal(page.status, 200);
        assert.match(page.text, /cancelled/);
        assert.equal(runRedirectPage(page.text, page.headers['content-security-policy']), null);
      });

      it('keeps the request token and its secret only sealed', async () => {
        const url = await startFlow(h);
        const rows = await h.kit.services.db.withTables<{ w3kit_attestation_oauth_flows: Record<string, unknown> }>().selectFrom('w3kit_attestation_oauth_flows').selectAll().execute();
        assert.equal(rows.length, 1);
        assert.ok(!JSON.stringify(rows).includes(url.searchParams.get('oauth_token')!));
        assert.match(String(rows[0]!['sealed_secret']), /^w3e1/);
      });

      it('validation errors are 400', async () => {
        const cases: [object, string[]][] = [
          [{}, ['identity: is required.', 'oauth-verifier: is required.']],
          [{ identity: IDENTITY, 'oauth-verifier': 5 }, ['oauth-verifier: not a valid string.']],
          [{ identity: IDENTITY, 'oauth-verifier': 'v', 'oauth-token': '' }, ['oauth-token: must be at least 1 characters.']],
          [{ identity: `${IDENTITY}00`, 'oauth-verifier': 'v' }, ['identity: has an invalid format.']],
        ];
        for (const [body, errors] of cases) {
          const res = await verify(h, body);
          assert.deepEqual([res.status, res.body], [400, { errors }], JSON.stringify(body));
        }
      });
    });

    describe('attestations: twitter with a wrong consumer secret', () => {
      let tw: TwitterStandIn;
      let h: Harness;
      before(async () => {
        tw = await startTwitterStandIn();
      });
      after(() => tw.close());
      harnessPerTest(
        kind,
        (harness) => (h = harness),
        () => ({ plugin: { twitter: { ...TWITTER_APP, consumerSecret: `${TWITTER_APP.consumerSecret}x`, apiBaseUrl: tw.url } } }),
      );

      it('Twitter refuses the signature and auth-url answers 422', async () => {
        const res = await request(h.app.callback()).get('/api/attestations/twitter/auth-url');
        assert.deepEqual([res.status, res.body], [422, { errors: ['Twitter did not accept the request.'] }]);
        assert.deepEqual(tw.refusals, ['bad signature']);
      });
    });

    describe('attestations: twitter unreachable', () => {
      let h: Harness;
      // nothing listens on loopback port 9 (discard): the connection is refused
      harnessPerTest(kind, (harness) => (h = harness), { plugin: { twitter: { ...TWITTER_APP, apiBaseUrl: 'http://127.0.0.1:9' } } });

      it('a provider that cannot be reached is a 503', async () => {
        const res = await request(h.app.callback()).get('/api/attestations/twitter/auth-url');
        assert.deepEqual([res.status, res.body], [503, { errors: ['Twitter could not be reached.'] }]);
      });
    });

    describe('attestations: twitter not configured', () => {
      let h: Harness;
      harnessPerTest(kind, (harness) => (h = harness));

      it('answers 422 "Twitter is not configured on this server."', async () => {
        const url = await request(h.app.callback()).get('/api/attestations/twitter/auth-url');
        assert.deepEqual([url.status, url.body], [422, { errors: ['Twitter is not configured on this server.'] }]);
        const res = await verify(h, { identity: IDENTITY, 'oauth-verifier': 'v' });
        assert.deepEqual([res.status, res.body], [422, { errors: ['Twitter is not configured on this server.'] }]);
      });
    });
  });
}
