import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, startAnvil, testDatabases, type Anvil, type TestDatabase } from '@w3kit/core/testing';
import { startDappServer, type DappServer } from '@w3kit/example-siwe-dapp';
import { getAddress } from 'ethers';
import { chromium, type Browser } from 'playwright-core';
import { injectAnvilWallet } from '../../../packages/siwe/test/support.js';

const CHROMIUM = '/usr/bin/chromium';

// The browser tests the page, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('siwe dapp example in a real browser (headless Chromium, an anvil-backed wallet)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let anvil: Anvil;
      let dapp: DappServer;
      let browser: Browser | undefined;

      before(async function () {
        if (!existsSync(CHROMIUM)) {
          console.warn(`    siwe dapp browser test skipped: no Chromium at ${CHROMIUM}`);
          this.skip();
        }
        [db, anvil] = await Promise.all([createTestDatabase('sqlite'), startAnvil()]);
        dapp = await startDappServer({
          databaseUrl: db.url,
          chains: [{ chainId: anvil.chainId, rpcUrl: anvil.url }],
          config: { mode: 'test', masterKey: randomBytes(32).toString('hex'), passwordHashCost: 10, housekeepingIntervalSeconds: 0 },
        });
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
      });
      after(async () => {
        await browser?.close();
        await dapp?.close();
        await anvil?.stop();
        await db?.drop();
      });

      it('the page signs in with the injected wallet: nonce, personal_sign, verify, then my_info with the token', async () => {
        const page = await browser!.newPage();
        const address = await injectAnvilWallet(page, anvil);
        await page.goto(dapp.url);
        await page.click('#sign-in');
        await page.waitForSelector('#account:not([hidden])');
        assert.equal(await page.textContent('#status'), `Signed in as ${getAddress(address)} on chain ${anvil.chainId}.`);
        const shown = JSON.parse((await page.textContent('#account'))!) as { account_id: string; address: string; chain_id: number };
        const linked = await dapp.kit.services.siweAddressStore.find(anvil.chainId, getAddress(address));
        assert.equal(shown.account_id, linked?.accountId);
        // a second sign-in in a fresh page is the same account
        const again = await browser!.newPage();
        await injectAnvilWallet(again, anvil);
        await again.goto(dapp.url);
        await again.click('#sign-in');
        await again.waitForSelector('#account:not([hidden])');
        assert.equal((JSON.parse((await again.textContent('#account'))!) as { account_id: string }).account_id, shown.account_id);
      });

      it('a wallet on a chain the dapp does not accept is told so on the page (401 SIWE_CHAIN_NOT_ALLOWED)', async () => {
        const other = await startAnvil({ chainId: 4242 });
        try {
          const page = await browser!.newPage();
          await injectAnvilWallet(page, other);
          await page.goto(dapp.url);
          await page.click('#sign-in');
          await page.waitForSelector('#status.error');
          assert.match((await page.textContent('#status'))!, /^Sign-in failed: SIWE_CHAIN_NOT_ALLOWED: /);
        } finally {
          await other.stop();
        }
      });
    });
  });
}
