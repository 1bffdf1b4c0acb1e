import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createTestDatabase, startAnvil, testDatabases, type Anvil, type TestDatabase } from '@w3kit/core/testing';
import { getAddress } from 'ethers';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { BUTTON_PATH, pageUrlOf, verifiedOrganization } from '../../auth/test/association-support.js';
import { injectAnvilWallet, startSiweKitServer } from './support.js';

const CHROMIUM = '/usr/bin/chromium';

// The browser tests the page and its script, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('siwe: the association page’s wallet sign-in in a real browser (headless Chromium)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let anvil: Anvil;
      let browser: Browser | undefined;
      let kitServer: Awaited<ReturnType<typeof startSiweKitServer>>;

      before(async function () {
        if (!existsSync(CHROMIUM)) {
          console.warn(`    association wallet browser test skipped: no Chromium at ${CHROMIUM}`);
          this.skip();
        }
        [db, anvil] = await Promise.all([createTestDatabase('sqlite'), startAnvil()]);
        kitServer = await startSiweKitServer(db.url, { chains: [{ chainId: anvil.chainId, rpcUrl: anvil.url }], signUp: true });
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
      });
      after(async () => {
        await browser?.close();
        await kitServer?.close();
        await anvil?.stop();
        await db?.drop();
      });

      it('"Sign in with your wallet" → the wallet signs → confirm → the redirect URL with the ID wallet address', async () => {
        const { apiKeySecret } = await verifiedOrganization(kitServer.kit, 'acme.test');
        const button = await request(kitServer.server).post(BUTTON_PATH).send({ api_key_secret: apiKeySecret, redirect_url: 'https://shop.acme.test/done' });
        const page = await browser!.newPage();
        const violations: string[] = [];
        page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
        page.on('pageerror', (e) => violations.push(e.message));
        const address = await injectAnvilWallet(page, anvil, 1);
        let returned: URL | undefined;
        await page.route('https://shop.acme.test/**', async (route) => {
          returned = new URL(route.request().url());
          await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Done</title>' });
        });
        await page.goto(pageUrlOf(button.body.result as string));
        await page.click('#wallet-button');
        await page.waitForSelector('text=Confirm the connection');
        await page.click('text=Connect my ID wallet');
        await page.waitForURL('https://shop.acme.test/**');
        assert.ok(returned);
        const linked = await kitServer.kit.services.siweAddressStore.find(anvil.chainId, getAddress(address));
        assert.ok(linked, 'the wallet address signed up an account');
        const account = await kitServer.kit.services.accountDirectory.get(linked.accountId);
        assert.equal(returned.searchParams.get('id_wallet_address'), account?.walletAddress);
        assert.deepEqual(violations, [], 'the script ran under the page’s CSP, without errors');
      });
    });
  });
}
