import assert from 'node:assert/strict';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { BUTTON_PATH, CookieBrowser, pageUrlOf, startKitServer, verifiedOrganization } from '../../auth/test/association-support.js';
import { newKey, startSiweKitServer } from './support.js';

/** The association page's own EIP-4361 message, as its script builds it for the page's URL. */
function pageMessage(pageUrl: URL, address: string, nonce: string, chainId = 1): string {
  return [
    `${pageUrl.protocol}//${pageUrl.host} wants you to sign in with your Ethereum account:`,
    address,
    '',
    `URI: ${pageUrl.origin}${pageUrl.pathname}`,
    'Version: 1',
    `Chain ID: ${chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${new Date().toISOString()}`,
  ].join('\n');
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('siwe: "sign in with your wallet" on the association page', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let kitServer: Awaited<ReturnType<typeof startSiweKitServer>>;
      let apiKeySecret: string;

      before(async () => {
        db = await createTestDatabase(kind);
        kitServer = await startSiweKitServer(db.url, { chains: [{ chainId: 1 }], signUp: true });
        ({ apiKeySecret } = await verifiedOrganization(kitServer.kit, 'acme.test'));
      });
      after(async () => {
        await kitServer?.close();
        await db?.drop();
      });

      async function openPage() {
        const button = await request(kitServer.server).post(BUTTON_PATH).send({ api_key_secret: apiKeySecret, redirect_url: 'https://shop.acme.test/done' });
        const pageUrl = new URL(pageUrlOf(button.body.result as string));
        const browser = new CookieBrowser(kitServer.server);
        return { browser, pageUrl, page: await browser.open(pageUrl.toString()) };
      }

      it('the page carries the wallet form with a fresh nonce, and a CSP that allows only its own script by hash', async () => {
        const { page } = await openPage();
        assert.match(page.res.text, /<form method="post" action="\/rest\/v1\/association\/sign-in-wallet" id="wallet-form" data-nonce="[0-9a-f]{32}">/);
        assert.match(page.res.text, /<button type="button" id="wallet-button" class="link">Sign in with your wallet<\/button>/);
        assert.match(page.res.headers['content-security-policy']!, /^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'; form-action 'self'; /);
      });

      it('a signed message (posted with a browser’s CRLF line breaks) signs the end user in (signing them up), and confirming sends the ID wallet address back', async () => {
        const { page, pageUrl } = await openPage();
        const key = newKey();
        const nonce = /data-nonce="([0-9a-f]+)"/.exec(page.res.text)![1]!;
        const message = pageMessage(pageUrl, key.address, nonce);
        // posted with CRLF line breaks, as a browser posts a form field
        const signedIn = await page.submit('sign-in-wallet', { message: message.replace(/\n/g, '\r\n'), signature: await key.signMessage(message) });
        assert.equal(signedIn.status, 303, signedIn.text);
        const back = await page.submit('confirm');
        assert.equal(back.status, 303, back.text);
        const location = new URL(back.headers['location']!);
        assert.equal(location.origin, 'https://shop.acme.test');
        assert.match(location.searchParams.get('id_wallet_address') ?? '', /^0x[0-9a-fA-F]{40}$/);
        const linked = await kitServer.kit.services.siweAddressStore.find(1, key.address);
        assert.ok(linked);
        const account = await kitServer.kit.services.accountDirectory.get(linked.accountId);
        assert.equal(account?.walletAddress, location.searchParams.get('id_wallet_address'));
      });

      it('a signature by another key shows the sign-in page again at 401 with why, and no sign-in', async () => {
        const { page, pageUrl } = await openPage();
        const nonce = /data-nonce="([0-9a-f]+)"/.exec(page.res.text)![1]!;
        const message = pageMessage(pageUrl, newKey().address, nonce);
        const refused = await page.submit('sign-in-wallet', { message, signature: await newKey().signMessage(message) });
        assert.equal(refused.status, 401);
        assert.match(refused.text, /<ul class="errors" role="alert"><li>The signature is not the address’s signature of this message\.<\/li><\/ul>/);
        assert.match(refused.text, /id="wallet-form" data-nonce="[0-9a-f]{32}"/, 'a fresh nonce to try again');
        const confirm = await page.submit('confirm');
        assert.equal(confirm.status, 401);
        // a message for another origin (a phishing page's) is refused the same way
        const phished = pageMessage(new URL('https://evil.example/rest/v1/association'), newKey().address, /data-nonce="([0-9a-f]+)"/.exec(refused.text)![1]!);
        const other = await page.submit('sign-in-wallet', { message: phished, signature: '0x00' });
        assert.equal(other.status, 401);
        assert.match(other.text, /not an origin this server accepts sign-ins for/);
      });
    });

    describe('siwe: the association page without the siwe plugin', function () {
      let db: TestDatabase;
      let kitServer: Awaited<ReturnType<typeof startKitServer>>;
      before(async () => {
        db = await createTestDatabase(kind);
        kitServer = await startKitServer(db.url);
      });
      after(async () => {
        await kitServer?.close();
        await db?.drop();
      });

      it('offers no wallet form, allows no script, and answers the wallet post 404', async () => {
        const { apiKeySecret } = await verifiedOrganization(kitServer.kit, 'plain.test');
        const button = await request(kitServer.server).post(BUTTON_PATH).send({ api_key_secret: apiKeySecret, redirect_url: 'https://shop.plain.test/done' });
        const page = await new CookieBrowser(kitServer.server).open(pageUrlOf(button.body.result as string));
        assert.doesNotMatch(page.res.text, /wallet-form|<script/);
        assert.doesNotMatch(page.res.headers['content-security-policy']!, /script-src/);
        const post = await page.submit('sign-in-wallet', { message: 'x', signature: '0x00' });
        assert.equal(post.status, 404);
      });
    });
  });
}
