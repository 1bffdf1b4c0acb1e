import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { createTestDatabase, testDatabases } from '@w3kit/core/testing';
import { verifyMessage } from 'ethers';
import * as client from 'openid-client';
import { oidc, type SiweVerifier } from '@w3kit/oidc';
import { actionOf, Browserless, createEndUser, csrfOf, discover, MASTER_KEY, PASSWORD, startOpServer, useOpWithClient, type OpServer } from './support.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** Opens an authorization request and lands on the sign-in page: the browser, the page HTML and its URL. */
async function openLoginPage(op: OpServer, config: client.Configuration) {
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: client.randomState(),
  });
  const browser = new Browserless();
  const { res, url: pageUrl } = await browser.follow(url.href, op.publicUrl);
  assert.equal(res.status, 200);
  return { browser, html: await res.text(), pageUrl, headers: res.headers };
}

/**
 * A SIWE verifier under the name and contract the siwe plugin registers (`siweVerifier`), used
 * here until that plugin is on this branch: it checks a real signature (ethers' recovery of a
 * personal-message signer) and finds the account whose ID wallet signed.
 */
function testSiweVerifier(op: () => OpServer): SiweVerifier {
  return {
    async verifySignIn({ message, signature }) {
      const address = /0x[0-9a-fA-F]{40}/.exec(message)?.[0];
      const signer = (() => {
        try {
          return verifyMessage(message, signature);
        } catch {
          return null; // not a signature at all
        }
      })();
      if (!address || signer?.toLowerCase() !== address.toLowerCase()) throw op().kit.services.authErrors.create('INVALID_CREDENTIALS', { message: 'The signature does not match the message.' });
      const account = await op().kit.services.accountDirectory.findByWalletAddress(address);
      if (!account) throw op().kit.services.authErrors.create('INVALID_CREDENTIALS');
      return { accountId: account.id, address, chainId: 1 };
    },
  };
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oidc sign-in pages', function () {
      this.timeout(60_000);
      const fixture = useOpWithClient(kind, { name: 'Pages <RP>', redirectUris: [REDIRECT_URI] }, {}, () => ({ config: { rateLimits: { 'oidc.login': { limit: 6, windowSeconds: 600 } } } }));

      it('the page: the client’s name escaped, security headers, no script, HttpOnly SameSite cookies; no SIWE or wallet option when those plugins are absent', async () => {
        const { html, headers } = await openLoginPage(fixture.op, fixture.config);
        assert.match(html, /Pages &lt;RP&gt;/);
        assert.doesNotMatch(html, /<script/i);
        assert.doesNotMatch(html, /Sign in with Ethereum|wallet app/);
        assert.match(headers.get('content-security-policy')!, /default-src 'none'.*form-action 'self' http:\/\/127\.0\.0\.1:9.*frame-ancestors 'none'/);
        assert.equal(headers.get('x-frame-options'), 'DENY');
        assert.equal(headers.get('cache-control'), 'no-store');
        for (const cookie of headers.getSetCookie()) {
          assert.match(cookie, /httponly/i, cookie);
          assert.match(cookie, /samesite=(lax|strict)/i, cookie);
        }
      });

      it('a wrong password, an unknown login and an organization’s credentials: the same 401 page', async () => {
        const user = await createEndUser(fixture.op.kit);
        await fixture.op.kit.services.accountService.createOrganization({ name: 'Org', domain: 'org-pages.test', email: 'ops@org-pages.test', password: PASSWORD });
        const bodies: string[] = [];
        for (const [login, password] of [[user.email, 'wrong password'], ['nobody@example.com', PASSWORD], ['ops@org-pages.test', PASSWORD]] as const) {
          const { browser, html } = await openLoginPage(fixture.op, fixture.config);
          const { res } = await browser.postForm(`${fixture.op.publicUrl}${actionOf(html, 'password')}`, { csrf: csrfOf(html), login, password }, fixture.op.publicUrl);
          assert.equal(res.status, 401, login);
          const page = await res.text();
          assert.match(page, /The id or password is wrong\./);
          bodies.push(page.replace(/value="[^"]*"/g, '').replace(/\/interaction\/[^"/]+/g, '/interaction/…'));
        }
        assert.equal(new Set(bodies).size, 1, 'nothing tells the three apart');
      });

      it('a post without the CSRF token, or with another interaction’s: 403; an unknown interaction: 400', async () => {
        const first = await openLoginPage(fixture.op, fixture.config);
        const second = await openLoginPage(fixture.op, fixture.config);
        const user = await createEndUser(fixture.op.kit);
        for (const csrf of ['', csrfOf(second.html)]) {
          const { res } = await first.browser.postForm(`${fixture.op.publicUrl}${actionOf(first.html, 'password')}`, { csrf, login: user.email, password: PASSWORD }, fixture.op.publicUrl);
          assert.equal(res.status, 403);
          assert.match(await res.text(), /This form is no longer valid/);
        }
        const gone = await first.browser.request(`${fixture.op.issuer}/interaction/unknown-uid`);
        assert.equal(gone.status, 400);
        assert.match(await gone.text(), /This sign-in page has expired/);
        const other = new Browserless();
        const stolen = await other.request(first.pageUrl);
        assert.equal(stolen.status, 400, 'another browser (without the interaction cookie) cannot open the page');
      });

      it('Cancel sends access_denied to the registered redirect URI', async () => {
        const { browser, html } = await openLoginPage(fixture.op, fixture.config);
        const { url } = await browser.postForm(`${fixture.op.publicUrl}${actionOf(html, 'abort')}`, { csrf: csrfOf(html) }, fixture.op.publicUrl);
        const callback = new URL(url);
        assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
        assert.equal(callback.searchParams.get('error'), 'access_denied');
      });

      it('sign-in posts are limited per client IP (oidc.login): 429 page with retry-after', async () => {
        const fresh = await createTestDatabase(kind);
        const limited = await startOpServer(fresh.url, {}, { config: { rateLimits: { 'oidc.login': { limit: 2, windowSeconds: 600 } } } });
        try {
          const created = await limited.kit.services.oidcClientService.create({ name: 'RP', redirectUris: [REDIRECT_URI] });
          const limitedConfig = await discover(limited.issuer, created.client_id, created.client_secret);
          const statuses: number[] = [];
          for (let i = 0; i < 3; i++) {
            const { browser, html } = await openLoginPage(limited, limitedConfig);
            const { res } = await browser.postForm(`${limited.publicUrl}${actionOf(html, 'password')}`, { csrf: csrfOf(html), login: `nobody${i}@example.com`, password: 'x' }, limited.publicUrl);
            statuses.push(res.status);
            if (res.status === 429) {
              assert.ok(Number(res.headers.get('retry-after')) > 0);
              assert.match(await res.text(), /Too many requests/);
            }
          }
          assert.deepEqual(statuses, [401, 401, 429]);
        } finally {
          await limited.close();
          await fresh.drop();
        }
      });

      it('production mode refuses an http issuer, and a signing key a development server created', async () => {
        const quiet = { development: false, send: async () => undefined };
        const production = (publicUrl: string) =>
          createKit({
            database: fixture.db.url,
            plugins: [auth(), oidc()],
            logger: createLogger({ level: 'silent' }),
            services: { smsSender: quiet, emailSender: quiet },
            config: { masterKey: MASTER_KEY, mode: 'production', passwordHashCost: 15, housekeepingIntervalSeconds: 0, publicUrl },
          });
        await assert.rejects(production('http://id.example.com'), /oidc: the issuer http:\/\/id\.example\.com\/oidc must be an https URL in production/);
        // this database's key was made by the development-mode test server
        await assert.rejects(production('https://id.example.com'), /signing key was created by a development server; run `w3kit keys rotate`/);
        await fixture.op.kit.services.oidcSigningKeys.rotate();
        const kit = await production('https://id.example.com');
        await kit.close();
      });
    });

    describe('oidc sign-in with Ethereum (through a siweVerifier service)', function () {
      this.timeout(60_000);
      const fixture = useOpWithClient(kind, { name: 'Dapp', redirectUris: [REDIRECT_URI] }, {}, (f) => ({ services: { siweVerifier: testSiweVerifier(() => f.op) } as never }));

      it('offers the option; a message signed by the account’s wallet signs it in, another key’s signature does not', async () => {
        const user = await createEndUser(fixture.op.kit);
        const wallet = await fixture.op.kit.services.accountDirectory.walletOf(user.account.id);
        const message = `127.0.0.1 wants you to sign in with your Ethereum account:\n${wallet.address}\n\nURI: ${fixture.op.issuer}\nVersion: 1\nChain ID: 1\nNonce: abcdefgh12345678\nIssued At: ${new Date().toISOString()}`;
        const { browser, html } = await openLoginPage(fixture.op, fixture.config);
        assert.match(html, /Sign in with Ethereum/);
        const forged = await browser.postForm(`${fixture.op.publicUrl}${actionOf(html, 'siwe')}`, { csrf: csrfOf(html), message, signature: `0x${'11'.repeat(64)}1b` }, fixture.op.publicUrl);
        assert.equal(forged.res.status, 401);
        const signature = await fixture.op.kit.services.accountDirectory.signMessage(user.account.id, message);
        const page = await forged.res.text();
        assert.match(page, /The signature does not match the message\./);
        const { res } = await browser.postForm(`${fixture.op.publicUrl}${actionOf(page, 'siwe')}`, { csrf: csrfOf(page), message, signature }, fixture.op.publicUrl);
        assert.equal(res.status, 200, 'the consent page');
        assert.match(await res.text(), /Signed in as <b>user-/);
      });
    });
  });
}
