import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, requireOrSkip, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import Koa from 'koa';
import { chromium, type Browser } from 'playwright-core';
import { BUTTON_PATH, startKitServer, verifiedOrganization } from './association-support.js';
import { emailInbox } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/association.png';

/**
 * An organization's web site, on its own origin: its backend asks the kit for the button JS
 * (with the API key secret, as the Web3Connect document says, never in the frontend), embeds it in `<head>` as
 * the Web3Connect document shows, and serves the redirect URL the end user comes back to.
 */
async function startOrganizationSite(kitUrl: string, apiKeySecret: string) {
  const callbacks: URL[] = [];
  let origin = '';
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/shop') {
      const res = await fetch(`${kitUrl}${BUTTON_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key_secret: apiKeySecret, redirect_url: `${origin}/done?userId=42` }),
      });
      const { result } = (await res.json()) as { result: string };
      ctx.type = 'html';
      ctx.body = `<!doctype html><html><head><title>Shop</title><script>${result}</script></head>
<body><button onclick="event.preventDefault();globalWeb3ConnectButtonOnClick();">Web3Connect</button></body></html>`;
    } else if (ctx.path === '/done') {
      callbacks.push(new URL(ctx.href));
      ctx.type = 'html';
      ctx.body = '<!doctype html><title>Done</title><p>Connected.</p>';
    }
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, callbacks, close: () => new Promise((resolve) => server.close(resolve)) };
}

// The browser tests the page, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('auth: association in a real browser (headless Chromium)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let browser: Browser | undefined;
      let kitServer: Awaited<ReturnType<typeof startKitServer>>;
      let site: Awaited<ReturnType<typeof startOrganizationSite>>;
      const inbox = emailInbox();

      before(async function () {
        requireOrSkip(this, 'Chromium', existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`);
        db = await createTestDatabase('sqlite');
        kitServer = await startKitServer(db.url, { services: { emailSender: inbox.sender } });
        const org = await verifiedOrganization(kitServer.kit, 'acme.test');
        site = await startOrganizationSite(kitServer.publicUrl, org.apiKeySecret);
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
        });
      });
      after(async () => {
        await browser?.close();
        await site?.close();
        await kitServer?.close();
        await db?.drop();
      });

      it('button → popup → sign up → emailed code → confirm → the redirect URL with userId kept and the new wallet address', async () => {
        const page = await browser!.newPage();
        await page.goto(`${site.origin}/shop`);
        const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Web3Connect' }).click()]);
        const problems: string[] = [];
        popup.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
        popup.on('pageerror', (error) => problems.push(error.message));
        await popup.waitForLoadState();
        assert.ok(popup.url().startsWith(`${kitServer.publicUrl}/rest/v1/association?token=`), popup.url());
        assert.equal(await popup.locator('h1').textContent(), 'Connect your ID wallet');
        assert.match((await popup.locator('.org').textContent()) ?? '', /Acme Corp.*verified domain acme\.test/);
        const size = await popup.evaluate<{ width: number; height: number }>('({ width: innerWidth, height: innerHeight })');
        assert.ok(size.width <= 520 && size.height <= 760, `a popup, not a tab: ${JSON.stringify(size)}`);
        await popup.screenshot({ path: SCREENSHOT, fullPage: true });

        const email = `browser-${Date.now()}@example.com`;
        await popup.getByText('New to Web3Connect? Create an account').click();
        await popup.fill('#sign-up-name', 'Ada Lovelace');
        await popup.fill('#sign-up-email', email);
        await popup.fill('#sign-up-password', 'correct horse battery');
        await popup.getByRole('button', { name: 'Create account and ID wallet' }).click();
        await popup.waitForSelector('text=Check your email');
        await popup.fill('#sign-up-code', inbox.lastCode(email));
        await popup.getByRole('button', { name: 'Verify email and create account' }).click();
        await popup.waitForSelector('text=Confirm the connection');
        const user = await kitServer.kit.services.accountStore.findByEmail(email);
        assert.ok(user?.wallet, 'the sign-up created the account and its ID wallet');
        assert.equal(await popup.locator('.wallet').textContent(), user.wallet.address);

        await popup.getByRole('button', { name: 'Connect my ID wallet' }).click();
        await popup.waitForURL(`${site.origin}/done?**`);
        const landed = new URL(popup.url());
        assert.equal(landed.searchParams.get('userId'), '42');
        assert.equal(landed.searchParams.get('id_wallet_address'), user.wallet.address);
        assert.deepEqual(
          site.callbacks.map((u) => u.search),
          [`?userId=42&id_wallet_address=${user.wallet.address}`],
        );
        assert.equal(await kitServer.kit.services.accountStore.isAssociated((await kitServer.kit.services.accountStore.findByEmail('ops@acme.test'))!.id, user.id), true);
        assert.deepEqual(problems, [], 'no console errors (e.g. CSP violations) on the association page');
        assert.equal(page.url(), `${site.origin}/shop`, 'the organization’s page stays where it was');
      });
    });
  });
}
