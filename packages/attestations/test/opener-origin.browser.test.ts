import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { chromium, type Browser } from 'playwright-core';
import { FACEBOOK_APP } from './facebook-stand-in.js';
import { authUrl, startHarness, type Harness } from './support.js';

const CHROMIUM = '/usr/bin/chromium';

/** A web site on its own origin whose page keeps every message it receives (data and sender origin). */
async function startOpenerSite(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>opener</title><script>window.received = []; addEventListener("message", (e) => window.received.push({ data: e.data, origin: e.origin }));</script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// The browser tests the page, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('attestations opener origin in a real browser (headless Chromium)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let browser: Browser | undefined;
      let dapp: Awaited<ReturnType<typeof startOpenerSite>>;
      let phishing: Awaited<ReturnType<typeof startOpenerSite>>;
      let h: Harness;
      let kitServer: Server;
      let kitOrigin: string;

      before(async function () {
        if (!existsSync(CHROMIUM)) {
          console.warn(`    opener-origin browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
          this.skip();
        }
        dapp = await startOpenerSite();
        phishing = await startOpenerSite();
        db = await createTestDatabase('sqlite');
        h = await startHarness(db.url, { plugin: { openerOrigin: dapp.origin, facebook: { ...FACEBOOK_APP, dialogBaseUrl: 'https://facebook.invalid', graphBaseUrl: 'https://facebook.invalid' } } });
        kitServer = h.app.listen(0, '127.0.0.1');
        await new Promise((resolve) => kitServer.once('listening', resolve));
        // "localhost" is a third origin, apart from both sites on 127.0.0.1
        kitOrigin = `http://localhost:${(kitServer.address() as AddressInfo).port}`;
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
        });
      });
      after(async () => {
        await browser?.close();
        await new Promise((resolve) => (kitServer ? kitServer.close(resolve) : resolve(undefined)));
        await h?.close();
        await db?.drop();
        await dapp?.close();
        await phishing?.close();
      });

      /** Opens a fresh flow's redirect page from `site` as a popup, waits for it to close itself, returns what `site` received. */
      async function messagesTo(site: string, code: string) {
        const state = (await authUrl(h, 'facebook')).searchParams.get('state')!;
        const page = await browser!.newPage();
        try {
          await page.goto(site);
          const redirect = `${kitOrigin}/redirects/facebook/?state=${encodeURIComponent(state)}&code=${code}`;
          const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate(`void window.open(${JSON.stringify(redirect)})`)]);
          await popup.waitForEvent('close', { timeout: 10_000 });
          await page.waitForTimeout(300);
          return await page.evaluate<unknown[]>('window.received');
        } finally {
          await page.close();
        }
      }

      it('the configured dapp receives facebook-code:<code>; a page of another origin that opened the same kind of popup receives nothing', async () => {
        assert.deepEqual(await messagesTo(dapp.origin, 'code-for-the-dapp'), [{ data: 'facebook-code:code-for-the-dapp', origin: kitOrigin }]);
        assert.deepEqual(await messagesTo(phishing.origin, 'code-for-a-phisher'), []);
      });
    });
  });
}
