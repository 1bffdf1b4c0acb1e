import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createTestDatabase, requireOrSkip, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { CONFIGURATIONS } from '@w3kit/oid4vci';
import jsqr from 'jsqr';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { endUser, newWallet, offerFor, receiveCredential, startIssuer, type Issuer } from './support.js';

// jsqr is CommonJS with a typed `default` export: under NodeNext its types sit one level down
const jsQR = jsqr.default;
const CHROMIUM = '/usr/bin/chromium';

// The page is what is tested here, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('oid4vci offer page in a real browser (headless Chromium)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let issuer: Issuer;
      let browser: Browser | undefined;
      before(async function () {
        requireOrSkip(this, 'Chromium', existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`);
        db = await createTestDatabase('sqlite');
        issuer = await startIssuer(db.url);
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
        });
      });
      after(async () => {
        await browser?.close();
        await issuer?.close();
        await db?.drop();
      });

      it('shows a QR code whose content is the offer; the library wallet scans it and receives the SD-JWT VC; then the page is gone', async () => {
        const { token } = await endUser(issuer);
        const offer = await offerFor(issuer, token, CONFIGURATIONS.sdJwt);
        const page = await browser!.newPage();
        const blocked: string[] = [];
        page.on('console', (m) => m.type() === 'error' && blocked.push(m.text()));
        const res = await page.goto(offer.page_url);
        assert.equal(res?.status(), 200);
        assert.match(res?.headers()['content-security-policy'] ?? '', /default-src 'none'/);
        assert.equal(await page.locator('h1').textContent(), 'Receive your credential');
        const shot = await page.locator('#offer-qr').screenshot();
        const png = PNG.sync.read(shot);
        const scanned = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
        assert.ok(scanned, 'the QR code on the page decodes');
        assert.equal(scanned.data, offer.credential_offer);
        assert.match(scanned.data, /^openid-credential-offer:\/\/\?credential_offer_uri=/);
        assert.deepEqual(blocked, [], 'the CSP blocked nothing the page uses');
        const credential = await receiveCredential(await newWallet(), scanned.data);
        assert.equal(typeof credential, 'string');
        const gone = await page.goto(offer.page_url);
        assert.equal(gone?.status(), 404);
        await page.close();
      });
    });
  });
}
