import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createTestDatabase, requireOrSkip, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { endUserWithLogin, startFullKit, type FullKit } from './full-kit.js';

const CHROMIUM = '/usr/bin/chromium';

/** The tag of every plugin of the standalone server, as the reference groups operations (`<plugin>: <api>`). */
const PLUGINS = ['core', 'auth', 'attestations', 'nft', 'did'];

/** Opens an operation's block by its path text, presses Execute, and answers the live response's status and body. */
async function execute(page: Page, method: string, path: string): Promise<{ status: string; body: string }> {
  const block = page
    .locator(`.opblock-${method}`)
    .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) })
    .first();
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.execute').click();
  const live = block.locator('.live-responses-table .response');
  await live.first().waitFor({ timeout: 20_000 });
  return {
    status: (await live.locator('.response-col_status').first().innerText()).trim(),
    body: await live.locator('.response-col_description pre').first().innerText(),
  };
}

// The browser tests the page, not storage: SQLite only.
if (testDatabases().includes('sqlite')) {
  describe('sqlite', () => {
    describe('docs-client: the API reference at /docs in headless Chromium', function () {
      this.timeout(90_000);
      let db: TestDatabase;
      let kit: FullKit;
      let browser: Browser | undefined;
      let page: Page;
      const violations: string[] = [];
      const offSite: string[] = [];

      before(async function () {
        requireOrSkip(this, 'Chromium', existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium)`);
        db = await createTestDatabase('sqlite');
        kit = await startFullKit(db.url);
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
        page = await browser.newPage();
        // a CSP violation is a console error in Chromium; a request elsewhere would be a CDN
        page.on('console', (m) => {
          if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
        });
        page.on('request', (r) => {
          if (!r.url().startsWith(kit.url) && !r.url().startsWith('data:')) offSite.push(r.url());
        });
        await page.goto(`${kit.url}/docs`);
        await page.locator('.opblock-tag').first().waitFor({ timeout: 30_000 });
      });
      after(async () => {
        await browser?.close();
        await kit?.close();
        await db?.drop();
      });

      it('renders every plugin’s operations from the kit’s own assets, with no CSP violation and no request off the kit', async () => {
        const tags = await page.locator('.opblock-tag').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag') ?? ''));
        for (const plugin of PLUGINS)
          assert.ok(
            tags.some((t) => t.startsWith(`${plugin}: `)),
            `no ${plugin} operations among ${tags.join(', ')}`,
          );
        assert.ok((await page.locator('.opblock').count()) > 40, 'every operation is listed');
        assert.deepEqual(violations, []);
        assert.deepEqual(offSite, []);
      });

      it('an operation shows its request example, success response and error codes', async () => {
        const block = page
          .locator('.opblock-post')
          .filter({ has: page.locator('.opblock-summary-path[data-path="/v2/auth/auth-user"]') })
          .first();
        await block.locator('.opblock-summary').first().click();
        // "try it" is on: the request body is an editable textarea, filled with the example
        const requestBody = await block.locator('textarea.body-param__text').first().inputValue();
        assert.deepEqual(JSON.parse(requestBody), { userType: 'user', id: 'ada@example.com', password: 'correct horse battery' });
        const codes = await block.locator('.responses-table tr.response .response-col_status').allInnerTexts();
        assert.ok(
          codes.some((c) => c.trim() === '200'),
          `the success response among ${codes.join(', ')}`,
        );
        assert.ok(
          codes.some((c) => /^4\d\d|^4XX/.test(c.trim())),
          `an error response among ${codes.join(', ')}`,
        );
        await block.locator('.opblock-summary').first().click();
      });

      it('"try it": GET /healthz sent through the page shows the server’s answer', async () => {
        const answer = await execute(page, 'get', '/healthz');
        assert.equal(answer.status, '200');
        assert.match(answer.body, /"status": "ok"/);
      });

      it('"try it" with a bearer token: Authorize, then my_info answers the user’s own account', async () => {
        const user = await endUserWithLogin(kit.kit);
        await page.locator('.auth-wrapper .authorize').first().click();
        await page.locator('.modal-ux input[type="text"]').first().fill(user.token);
        await page.locator('.modal-ux .auth-btn-wrapper button.authorize').first().click();
        await page.locator('.modal-ux button.btn-done').first().click();
        const answer = await execute(page, 'get', '/rest/v1/account/my_info');
        assert.equal(answer.status, '200');
        assert.ok(answer.body.includes(user.accountId), answer.body);
        assert.deepEqual(violations, []);
      });
    });
  });
}
