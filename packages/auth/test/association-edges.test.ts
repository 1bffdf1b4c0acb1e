/**
 * The association's redirect policy and cookies at their edges: characters only the raw-string
 * check refuses, an authority that must follow the scheme, malformed cookies, the sign-in cookie
 * cleared on confirm, and a host app that signs its own cookies.
 */
import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { appFor, createTestDatabase, testDatabases, type KitMount, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { associationPaths, CookieBrowser, pageUrlOf, signUpWithCode, startKitServer, verifiedOrganization } from './association-support.js';
import { emailInbox } from './support.js';

const { BUTTON_PATH } = associationPaths('');
const CSRF = 'w3kit_association_csrf';
const SIGN_IN = 'w3kit_association_sign_in';

/** A host app that signs its own cookies (`app.keys`): the kit's cookies must not depend on it. */
const signingHost: KitMount = {
  name: 'in a host app with app.keys',
  mountPath: '',
  app(kit: Kit) {
    const app = appFor(kit);
    app.keys = ['the host app’s own cookie key'];
    return app;
  },
};

let counter = 0;
const uniqueEmail = () => `ada-${Date.now().toString(36)}-${counter++}@example.com`;
const setCookies = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

for (const kind of testDatabases()) {
  describe(kind, () => {
    for (const mount of [undefined, signingHost]) {
      describe(`auth association edges: redirect policy and cookies${mount ? ` ${mount.name}` : ''}`, () => {
        let db: TestDatabase;
        let server: Awaited<ReturnType<typeof startKitServer>>;
        let apiKeySecret: string;
        // a sign-up finishes with the code emailed to the address
        const inbox = emailInbox();

        before(async () => {
          db = await createTestDatabase(kind);
          server = await startKitServer(db.url, { services: { emailSender: inbox.sender } }, mount);
          ({ apiKeySecret } = await verifiedOrganization(server.kit, 'acme.test'));
        });
        after(async () => {
          await server.close();
          await db.drop();
        });

        const generate = (redirectUrl: string) => request(server.server).post(BUTTON_PATH).send({ api_key_secret: apiKeySecret, redirect_url: redirectUrl });
        const refusal = async (redirectUrl: string) => {
          const res = await generate(redirectUrl);
          assert.equal(res.status, 400, `${JSON.stringify(redirectUrl)}: ${res.text}`);
          assert.equal(res.body.error.code, 'REDIRECT_NOT_ALLOWED');
          return res.body.error.issues as string[];
        };

        it('a space, a control character or a backslash anywhere in redirect_url (path, query) is refused as such', async () => {
          for (const url of ['https://acme.test/a b', 'https://acme.test/cb?x=1\u0007', 'https://acme.test/a\\b', 'https://acme.test/cb\u007f']) {
            assert.deepEqual(await refusal(url), ['redirect_url: must not contain spaces, control characters or backslashes.'], JSON.stringify(url));
          }
        });

        it('"https:" must be followed by "//" and the host, even when a proper URL comes later in the string', async () => {
          assert.deepEqual(await refusal('https:acme.test/?next=https://acme.test/'), ['redirect_url: must be an absolute http(s) URL with a plain host name (no user info or encoded characters).']);
        });

        it('a CSRF cookie that is not a 43-character token is replaced by a fresh one, and the forms work with it', async () => {
          const res = await generate('https://acme.test/cb');
          assert.equal(res.status, 200, res.text);
          const browser = new CookieBrowser(server.server);
          for (const malformed of ['A'.repeat(44), `!${'A'.repeat(43)}`, 'A'.repeat(42)]) {
            browser.cookies.set(CSRF, malformed);
            const page = await browser.open(pageUrlOf(res.body.result as string));
            const fresh = setCookies(page.res).find((line) => line.startsWith(`${CSRF}=`));
            assert.ok(fresh, `a new CSRF cookie instead of ${malformed}`);
            assert.match(fresh, new RegExp(`^${CSRF}=[A-Za-z0-9_-]{43}; Path=/rest/v1/association; HttpOnly; SameSite=Strict$`));
            assert.equal((await signUpWithCode(page, inbox, { name: 'Ada', email: uniqueEmail(), password: 'correct horse battery' })).status, 303);
          }
        });

        it('confirming clears the sign-in cookie (empty value, Max-Age=0) and redirects', async () => {
          const res = await generate('https://acme.test/cb');
          const browser = new CookieBrowser(server.server);
          const page = await browser.open(pageUrlOf(res.body.result as string));
          const signUp = await signUpWithCode(page, inbox, { name: 'Ada', email: uniqueEmail(), password: 'correct horse battery' });
          assert.equal(signUp.status, 303, signUp.text);
          assert.ok(browser.cookies.has(SIGN_IN), 'signed in');
          const confirm = await page.submit('confirm');
          assert.equal(confirm.status, 303, confirm.text);
          assert.match(String(confirm.headers['location']), /^https:\/\/acme\.test\/cb\?id_wallet_address=0x[0-9a-fA-F]{40}$/);
          assert.ok(setCookies(confirm).includes(`${SIGN_IN}=; Path=/rest/v1/association; HttpOnly; SameSite=Strict; Max-Age=0`), setCookies(confirm).join('\n'));
        });
      });
    }
  });
}
