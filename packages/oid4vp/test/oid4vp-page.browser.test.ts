import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import jsqr from 'jsqr';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { endUser, loadBalancer, PUBLIC_URL, startInstance, TestIssuer, TestWallet, type Instance } from './support.js';

// jsqr is CommonJS with a typed `default` export: under NodeNext its types sit one level down
const jsQR = jsqr.default;
const CHROMIUM = '/usr/bin/chromium';

// The browser tests the page and its script, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('oid4vp login page in headless Chromium: cross-device (the wallet scans the QR code) and same-device (redirect)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let instance: Instance;
      let issuer: TestIssuer;
      let browser: Browser | undefined;

      before(async function () {
        if (!existsSync(CHROMIUM)) {
          console.warn(`    oid4vp browser test skipped: no Chromium at ${CHROMIUM}`);
          this.skip();
        }
        db = await createTestDatabase('sqlite');
        issuer = new TestIssuer();
        instance = await startInstance(db.url, issuer, { loginPage: true });
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
      });
      after(async () => {
        await browser?.close();
        await instance?.close();
        await db?.drop();
      });

      it('oid4vp page: the QR code holds the signed request by reference; the wallet answers; the page shows the signed-in user', async () => {
        const accountId = await endUser(instance.kit, 'page-holder');
        const lb = loadBalancer(instance);
        const wallet = new TestWallet(lb);
        const { credential } = await issuer.issue(accountId, wallet.key.publicJwk);

        const page = await browser!.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          // a poll answered 401 ("still waiting") is logged by Chromium as a failed load
          if (m.type() === 'error' && !/status of 401 \(Unauthorized\)/.test(m.text())) problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        const response = await page.goto(`${instance.url}/oid4vp/login`);
        assert.equal(response!.status(), 200);
        assert.match(response!.headers()['content-security-policy']!, /default-src 'none'; script-src 'self'; connect-src 'self'; img-src data:/);
        await page.getByText('Waiting for your wallet…').waitFor();

        // the wallet scans the code on the screen
        const png = PNG.sync.read(await page.screenshot({ fullPage: true }));
        const scanned = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
        assert.ok(scanned, 'the QR code on the page decodes');
        assert.match(
          scanned.data,
          /^openid4vp:\/\/\?client_id=decentralized_identifier%3Adid%3Aweb%3Aw3kit\.test%3Aoid4vp&request_uri=https%3A%2F%2Fw3kit\.test%2Foid4vp%2Frequests%2F[A-Za-z0-9_-]{24}$/,
        );
        const answered = await wallet.login(scanned.data, credential);
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        assert.equal(answered.request.response_mode, 'direct_post.jwt');

        await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 15_000 });
        assert.equal(await page.locator('#user-id').textContent(), 'page-holder');
        assert.deepEqual(problems, []);
        await page.close();
      });

      it('oid4vp page same-device: the link opens the wallet, the wallet sends the browser back with a response code, the page collects', async () => {
        const accountId = await endUser(instance.kit, 'same-device-holder');
        const lb = loadBalancer(instance);
        const wallet = new TestWallet(lb);
        const { credential } = await issuer.issue(accountId, wallet.key.publicJwk);
        const page = await browser!.newPage();
        // the browser reaches the kit under its public URL, as behind the real load balancer
        await page.route(`${PUBLIC_URL}/**`, async (route) => {
          const upstream = await route.fetch({ url: route.request().url().replace(PUBLIC_URL, instance.url) });
          await route.fulfill({ response: upstream });
        });
        const problems: string[] = [];
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(`${PUBLIC_URL}/oid4vp/login?flow=same_device`);
        const link = page.locator('#wallet');
        const authorizationRequest = (await link.getAttribute('href'))!;
        assert.match(authorizationRequest, /^openid4vp:\/\/\?client_id=/);
        // the click remembers the login in this tab; the openid4vp: navigation goes to the wallet app
        await page.evaluate("document.getElementById('wallet').addEventListener('click', (e) => e.preventDefault())");
        await link.click();
        const answered = await wallet.login(authorizationRequest, credential);
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        const redirect = String(answered.body['redirect_uri']);
        assert.match(redirect, /^https:\/\/w3kit\.test\/oid4vp\/login#response_code=[A-Za-z0-9_-]+$/);

        await page.goto(redirect);
        await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 15_000 });
        assert.equal(await page.locator('#user-id').textContent(), 'same-device-holder');
        assert.equal(new URL(page.url()).hash, '', 'the response code is taken out of the address bar');
        assert.deepEqual(problems, []);
        await page.close();
      });
    });
  });
}
