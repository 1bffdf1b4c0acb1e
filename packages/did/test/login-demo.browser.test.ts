import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, requireOrSkip, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import jsqr from 'jsqr';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { didKit, walletKey, walletPresentation } from './support.js';

// jsqr is CommonJS with a typed `default` export: under NodeNext its types sit one level down
const jsQR = jsqr.default;
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/login-demo.png';

/** The kit on a real port, with the demo page as the standalone server serves it (`DID_LOGIN_DEMO`). */
async function startKitServer(databaseUrl: string) {
  let handler: ((req: never, res: never) => void) | undefined;
  const server: Server = createServer((req, res) => handler!(req as never, res as never));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kit: Kit = await didKit(databaseUrl, { loginDemoPage: true, appLoginDefaultWaitSeconds: 120 }, { config: { publicUrl: origin } });
  const { default: Koa } = await import('koa');
  const app = new Koa();
  app.silent = true;
  app.use(kit.middleware());
  handler = app.callback();
  return {
    kit,
    origin,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await kit.close();
    },
  };
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

// The page is what is tested here, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('did: website login demo in a real browser (headless Chromium)', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let browser: Browser | undefined;
      let server: Awaited<ReturnType<typeof startKitServer>>;

      before(async function () {
        requireOrSkip(this, 'Chromium', existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`);
        db = await createTestDatabase('sqlite');
        server = await startKitServer(db.url);
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
        });
      });
      after(async () => {
        await browser?.close();
        await server?.close();
        await db?.drop();
      });

      it('shows a login request as a QR code; the wallet reads it and logs in; the page shows the signed-in user', async () => {
        const { kit, origin } = server;
        // the user, with a password, and a wallet holding a credential the kit issued to it
        const account = await kit.services.accountService.createEndUser({ loginId: 'hong', email: 'hong@example.com', password: 'correct horse battery', name: 'Hong Gildong' });
        const login = await json(
          await fetch(`${origin}/v2/auth/auth-user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'hong', password: 'correct horse battery' }) }),
        );
        const wallet = walletKey();
        const credential = await json(
          await fetch(`${origin}/v2/did/create-vc`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${String(login['token'])}` },
            body: JSON.stringify({ holder: wallet.did, userInfo: { name: 'Hong Gildong' } }),
          }),
        );
        assert.equal((credential['credentialSubject'] as Record<string, unknown>)['sub'], 'hong');
        const verifier = ((await json(await fetch(`${origin}/v2/did/verifiers`))) as unknown as { did: string }[])[0]!.did;

        const page = await browser!.newPage();
        const requests: string[] = [];
        const problems: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        page.on('console', (m) => {
          // a poll answered 401 ("still waiting", as the Finenex document says) is logged by Chromium as a failed load
          if (m.type() === 'error' && !/status of 401 \(Unauthorized\)/.test(m.text())) problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        const response = await page.goto(`${origin}/v2/login-demo`);
        assert.equal(response!.status(), 200);
        assert.match(response!.headers()['content-security-policy']!, /default-src 'none'; script-src 'self'; connect-src 'self'; img-src data:/);
        await page.getByText(/Waiting for your wallet app… \(\d+ s\)/).waitFor();

        // the wallet app scans the code on the screen
        const shot = await page.screenshot({ path: SCREENSHOT, fullPage: true });
        const png = PNG.sync.read(shot);
        const scanned = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
        assert.ok(scanned, 'the QR code on the page decodes');
        const requestId = scanned.data;
        assert.match(requestId, new RegExp(`^${origin.replace(/\./g, '\\.')}/v2/login-demo\\?requestId=[A-Za-z0-9_-]{24}$`));
        assert.equal(await page.locator('#request-id').textContent(), requestId);

        const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: requestId });
        const answer = await fetch(`${origin}/v2/auth/auth-user-with-vp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requestId, vp }) });
        assert.equal(answer.status, 200);

        await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 15_000 });
        assert.equal(await page.locator('#user-name').textContent(), 'Hong Gildong');
        assert.equal(await page.locator('#user-id').textContent(), 'hong');
        assert.equal(await page.locator('#qr').isHidden(), true);
        // the page collected the login: nobody can collect it again
        const again = await fetch(`${origin}/v2/auth/auth-user-result-by-app`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requestId }) });
        assert.equal(again.status, 400);
        assert.equal((await json(again))['code'], 'LOGIN_RESULT_COLLECTED');

        assert.deepEqual(problems, [], 'no script errors and no Content-Security-Policy violations');
        assert.ok(requests.length >= 3);
        assert.deepEqual(
          requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:')),
          [],
          'the page loads nothing from anywhere but the kit',
        );
        assert.ok(account.id);
      });
    });
  });
}
