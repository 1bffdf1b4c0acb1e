import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createTestDatabase, startAnvil, testDatabases, type Anvil, type TestDatabase } from '@w3kit/core/testing';
import { did } from '@w3kit/did';
import { siwe } from '@w3kit/siwe';
import { getAddress } from 'ethers';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { walletKey, walletPresentation } from '../../did/test/support.js';
import { injectAnvilWallet } from '../../siwe/test/support.js';
import { createEndUser, PASSWORD, startOpServer, startRelyingParty, type OpServer } from './support.js';

const CHROMIUM = '/usr/bin/chromium';

// The browser tests the pages and the redirects, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('oidc code flow in a real browser (headless Chromium)', function () {
      this.timeout(90_000);
      let db: TestDatabase;
      let anvil: Anvil;
      let op: OpServer;
      let rp: Awaited<ReturnType<typeof startRelyingParty>>;
      let browser: Browser | undefined;

      before(async function () {
        if (!existsSync(CHROMIUM)) {
          console.warn(`    oidc browser test skipped: no Chromium at ${CHROMIUM}`);
          this.skip();
        }
        [db, anvil] = await Promise.all([createTestDatabase('sqlite'), startAnvil()]);
        // the real siwe plugin: the page's origin is its one allowed origin, anvil its chain; an unknown address signs up
        op = await startOpServer(db.url, {}, { plugins: [did()], pluginsFor: (url) => [siwe({ allowedOrigins: [url], chains: [{ chainId: anvil.chainId, rpcUrl: anvil.url }], signUp: true })] });
        rp = await startRelyingParty(op.issuer, async (redirectUri) => {
          const created = await op.kit.services.oidcClientService.create({ name: 'Example Shop', redirectUris: [redirectUri] });
          return { clientId: created.client_id, clientSecret: created.client_secret! };
        });
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync', '--disable-quic'],
        });
      });
      after(async () => {
        await browser?.close();
        await rp?.close();
        await op?.close();
        await anvil?.stop();
        await db?.drop();
      });

      const verifyIdToken = (token: string) => jwtVerify(token, createRemoteJWKSet(new URL(rp.config.serverMetadata().jwks_uri!)), { issuer: op.issuer, audience: rp.clientId });

      it('password: RP → OP sign-in page → consent → RP callback; the ID token verifies against the discovered JWKS', async () => {
        const user = await createEndUser(op.kit);
        const page = await browser!.newPage();
        const landed = await page.goto(`${rp.origin}/login`);
        assert.equal(await page.title(), 'Sign in to Example Shop · Web3Connect', `${page.url()} ${landed?.status()} ${await page.content()}`);
        await page.fill('#login-email', user.email);
        await page.fill('#login-password', PASSWORD);
        await page.click('button:has-text("Sign in")');
        await page.waitForSelector('text=Allow access');
        await page.click('button:has-text("Allow")');
        await page.waitForURL(`${rp.origin}/callback**`);
        assert.equal(await page.textContent('#who'), user.account.id);
        const signedIn = rp.results.at(-1)!;
        assert.equal(signedIn.email, user.email);
        const { payload } = await verifyIdToken(signedIn.idToken);
        assert.equal(payload.sub, user.account.id);

        // a second visit: the OP's session and the grant stand, the browser goes straight back
        await page.goto(`${rp.origin}/login`);
        await page.waitForURL(`${rp.origin}/callback**`);
        assert.equal(await page.textContent('#who'), user.account.id);
        await page.close();
      });

      it('Sign-In with Ethereum: the page’s wallet script signs an EIP-4361 message with the injected wallet (anvil), the RP gets the account of that address, amr siwe', async () => {
        const page = await browser!.newPage();
        const address = getAddress(await injectAnvilWallet(page, anvil));
        await page.goto(`${rp.origin}/login`);
        assert.equal(await page.title(), 'Sign in to Example Shop · Web3Connect');
        await page.click('#wallet-button');
        await page.waitForSelector('text=Allow access').catch(async (error: unknown) => assert.fail(`${String(error)}\n${await page.textContent('body')}`));
        await page.click('button:has-text("Allow")');
        await page.waitForURL(`${rp.origin}/callback**`);
        const linked = await op.kit.services.siweAddressStore.find(anvil.chainId, address);
        assert.ok(linked, 'the address signed up an end user and is linked to it');
        assert.equal(await page.textContent('#who'), linked.accountId);
        const { payload } = await verifyIdToken(rp.results.at(-1)!.idToken);
        assert.equal(payload.sub, linked.accountId);
        assert.deepEqual(payload['amr'], ['siwe']);
        await page.close();
      });

      it('wallet (VP) login: the page shows the requestId, the wallet app presents its credential, the page moves on by itself', async () => {
        const user = await createEndUser(op.kit);
        const { token } = await op.kit.services.tokenService.issueAccessToken(user.account);
        const wallet = walletKey();
        const post = (path: string, body: unknown, bearer?: string) =>
          fetch(`${op.publicUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
        const credential = (await (await post('/v2/did/create-vc', { holder: wallet.did, userInfo: { name: 'Ada' } }, token)).json()) as Record<string, unknown>;
        const verifier = ((await (await fetch(`${op.publicUrl}/v2/did/verifiers`)).json()) as { did: string }[])[0]!.did;

        const context = await browser!.newContext();
        const page = await context.newPage();
        await page.goto(`${rp.origin}/login`);
        await page.click('summary:has-text("Sign in with your wallet app")');
        await page.click('button:has-text("Sign in with a verifiable presentation")');
        const requestId = (await page.textContent('#vp-request-id'))!;
        assert.match(requestId, /^http:\/\/127\.0\.0\.1:\d+\/oidc\?requestId=[A-Za-z0-9_-]+$/);

        // the wallet app, elsewhere: a VP for the kit's verifier, bound to this request
        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: requestId });
        const login = await post('/v2/auth/auth-user-with-vp', { requestId, vp });
        assert.equal(login.status, 200, await login.clone().text());

        await page.waitForSelector('text=Allow access', { timeout: 15_000 });
        await page.click('button:has-text("Allow")');
        await page.waitForURL(`${rp.origin}/callback**`);
        assert.equal(await page.textContent('#who'), user.account.id);
        const { payload } = await verifyIdToken(rp.results.at(-1)!.idToken);
        assert.equal(payload.sub, user.account.id);
        assert.deepEqual(payload['amr'], ['vp']);
        await context.close();
      });
    });
  });
}
