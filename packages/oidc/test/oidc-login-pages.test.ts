import assert from 'node:assert/strict';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { createTestDatabase, testDatabases } from '@w3kit/core/testing';
import { siwe } from '@w3kit/siwe';
import { Wallet } from 'ethers';
import { createSiweMessage } from 'viem/siwe';
import * as client from 'openid-client';
import { oidc } from '@w3kit/oidc';
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
        for (const [login, password] of [
          [user.email, 'wrong password'],
          ['nobody@example.com', PASSWORD],
          ['ops@org-pages.test', PASSWORD],
        ] as const) {
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

    describe('oidc sign-in with Ethereum (the siwe plugin)', function () {
      this.timeout(60_000);
      const CHAIN_ID = 31337;
      // EOA sign-ins only (no RPC): what this suite tests is the page, the nonce and the OP's use of siwe's answer
      const fixture = useOpWithClient(kind, { name: 'Dapp', redirectUris: [REDIRECT_URI] }, {}, () => ({ pluginsFor: (url) => [siwe({ allowedOrigins: [url], chains: [{ chainId: CHAIN_ID }] })] }));

      /** The EIP-4361 message a wallet builds for the page's nonce (viem's builder, the wallet side). */
      const messageFor = (html: string, address: `0x${string}`) => {
        const nonce = /data-nonce="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no nonce on the page');
        const origin = new URL(fixture.op.publicUrl);
        return createSiweMessage({ scheme: 'http', domain: origin.host, address, uri: `${origin.origin}/`, version: '1', chainId: CHAIN_ID, nonce, issuedAt: new Date() });
      };

      it('the page carries a fresh nonce and allows only its wallet script; a message the account’s wallet signs logs it in (linked address), another key’s does not, a nonce counts once', async () => {
        const user = await createEndUser(fixture.op.kit);
        const wallet = Wallet.createRandom();
        await fixture.op.kit.services.siweAddressStore.link(CHAIN_ID, wallet.address, user.account.id, new Date());
        const { browser, html, headers } = await openLoginPage(fixture.op, fixture.config);
        assert.match(html, /Sign in with Ethereum \(browser wallet\)/);
        assert.match(String(headers.get('content-security-policy')), /script-src 'sha256-[A-Za-z0-9+/=]+'/);
        assert.doesNotMatch(String(headers.get('content-security-policy')), /unsafe-inline/);
        const message = messageFor(html, wallet.address as `0x${string}`);

        const forged = await browser.postForm(
          `${fixture.op.publicUrl}${actionOf(html, 'siwe')}`,
          { csrf: csrfOf(html), message, signature: await Wallet.createRandom().signMessage(message) },
          fixture.op.publicUrl,
        );
        assert.equal(forged.res.status, 401);
        const page = await forged.res.text();
        assert.match(page, /role="alert"/);
        assert.doesNotMatch(page, /ecrecover|viem|Error:/i, 'no library text');

        // the forged try consumed that nonce: the same message, now rightly signed, is refused
        const replayed = await browser.postForm(
          `${fixture.op.publicUrl}${actionOf(page, 'siwe')}`,
          { csrf: csrfOf(page), message, signature: await wallet.signMessage(message) },
          fixture.op.publicUrl,
        );
        assert.notEqual(replayed.res.status, 200);
        const again = await replayed.res.text();

        const fresh = messageFor(again, wallet.address as `0x${string}`);
        const { res } = await browser.postForm(
          `${fixture.op.publicUrl}${actionOf(again, 'siwe')}`,
          { csrf: csrfOf(again), message: fresh, signature: await wallet.signMessage(fresh) },
          fixture.op.publicUrl,
        );
        assert.equal(res.status, 200, `the consent page: ${/role="alert">(.*?)<\/ul>/.exec(await res.clone().text())?.[1]}`);
        assert.match(await res.text(), /Signed in as <b>user-/);
      });
    });
  });
}
