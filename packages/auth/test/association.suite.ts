import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { runInNewContext } from 'node:vm';
import type { CoreTables, Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type KitMount, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { associationPaths, CookieBrowser, pageUrlOf, signUpWithCode, startKitServer, verifiedOrganization } from './association-support.js';
import { authKit, emailInbox } from './support.js';

const DOMAIN = 'acme.test';
const REDIRECT = 'https://acme.test/abc/def?g=h&userId=xxx';
const PASSWORD = 'correct horse battery';
const TICKET_TTL_MS = 600_000;
const REDIRECT_MESSAGE = 'redirect_url must be an https URL on the organization’s verified domain.';

let counter = 0;
const uniqueEmail = () => `user-${Date.now().toString(36)}-${counter++}@example.com`;

function expectEnvelopeError(res: request.Response, status: number, code: string, message?: string): Record<string, unknown> {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.status, 'error');
  assert.equal(res.body.result, null);
  assert.equal(res.body.error.code, code);
  if (message !== undefined) assert.equal(res.body.error.message, message);
  return res.body.error as Record<string, unknown>;
}

/** An HTML page of the association flow: status, type, the security headers, and no stack trace. */
function expectPage(res: request.Response, status: number, ...texts: string[]): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /script-src|unsafe-inline/);
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.equal(res.headers['cache-control'], 'no-store');
  for (const text of texts) assert.ok(res.text.includes(text), `page lacks ${JSON.stringify(text)}:\n${res.text}`);
  assert.doesNotMatch(res.text, /\bat [\w.]+ \(|Error:|"status":"error"/);
}

/** The error messages listed on a page. */
const pageErrors = (html: string) => [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);

/** The association button, pages and forms over a real HTTP server, with the kit served at `mount`. */
export function associationSuite(mount: KitMount): void {
  const { PAGE_PATH, BUTTON_PATH } = associationPaths(mount.mountPath);
  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let kit: Kit;
      let server: Server;
      let publicUrl: string;
      let clock: ManualClock;
      let close: () => Promise<void>;
      let org: Awaited<ReturnType<typeof verifiedOrganization>>;
      const inbox = emailInbox();

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        ({ kit, server, publicUrl, close } = await startKitServer(db.url, { services: { clock, emailSender: inbox.sender } }, mount));
        org = await verifiedOrganization(kit, DOMAIN);
      });
      after(async () => {
        await close();
        await db.drop();
      });

      const generate = (body: unknown) =>
        request(server)
          .post(BUTTON_PATH)
          .send(body as object);
      const newTicket = async (redirectUrl = REDIRECT, secret = org.apiKeySecret) => {
        const res = await generate({ api_key_secret: secret, redirect_url: redirectUrl });
        assert.equal(res.status, 200, res.text);
        return pageUrlOf(res.body.result as string);
      };
      const liveCodes = async () => {
        const row = await kit.services.database.db
          .withTables<CoreTables>()
          .selectFrom('w3kit_one_time_codes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      /** Signs a new end user up on a fresh ticket's page; returns the browser at the confirm step. */
      const signedUp = async (redirectUrl = REDIRECT) => {
        const browser = new CookieBrowser(server);
        const pageUrl = await newTicket(redirectUrl);
        const email = uniqueEmail();
        const page = await browser.open(pageUrl);
        const res = await signUpWithCode(page, inbox, { name: 'Ada Lovelace', email, password: PASSWORD });
        assert.equal(res.status, 303, res.text);
        return { browser, pageUrl, email, page };
      };

      describe('auth: POST /rest/v1/auth/account/association/generate_web3connect_button_js', () => {
        it('returns the function, which opens the association page of a new ticket in a popup', async () => {
          const res = await generate({ api_key_secret: org.apiKeySecret, redirect_url: REDIRECT });
          assert.equal(res.status, 200);
          assert.deepEqual(Object.keys(res.body), ['status', 'result', 'error']);
          assert.equal(res.body.status, 'ok');
          assert.equal(res.body.error, null);
          const js = res.body.result as string;
          assert.match(js, /^function globalWeb3ConnectButtonOnClick\(\) \{\n[\s\S]*\n\}$/);
          const pageUrl = pageUrlOf(js);
          assert.match(pageUrl, new RegExp(`^${publicUrl}${PAGE_PATH}\\?token=[A-Za-z0-9_-]{43}$`));

          // run it as the organization's page would: a popup, or the same window when blocked
          const opened: unknown[][] = [];
          const window = { screenX: 100, screenY: 50, outerWidth: 1280, outerHeight: 820, location: { href: REDIRECT }, open: (...args: unknown[]) => (opened.push(args), { focus() {} }) };
          runInNewContext(`${js}\nglobalWeb3ConnectButtonOnClick();`, { window });
          assert.deepEqual(opened, [[pageUrl, 'web3connect', 'popup,width=480,height=720,left=500,top=100']]);
          assert.equal(window.location.href, REDIRECT);
          const blocked = { ...window, open: () => null };
          runInNewContext(`${js}\nglobalWeb3ConnectButtonOnClick();`, { window: blocked });
          assert.equal(blocked.location.href, pageUrl);

          const page = await request(server).get(new URL(pageUrl).pathname + new URL(pageUrl).search);
          expectPage(page, 200, 'Acme Corp', '✓ verified domain acme.test', 'return to acme.test');
        });

        it('each call issues a new ticket', async () => {
          assert.notEqual(await newTicket(), await newTicket());
        });

        it('accepts the verified domain, its subdomains and a port', async () => {
          for (const url of ['https://acme.test', 'https://shop.acme.test/cb?x=1', 'https://a.b.acme.test:8443/cb', 'https://ACME.test/cb']) {
            const res = await generate({ api_key_secret: org.apiKeySecret, redirect_url: url });
            assert.equal(res.status, 200, `${url}: ${res.text}`);
          }
        });

        it('refuses every redirect off the verified domain with 400 REDIRECT_NOT_ALLOWED, issuing no ticket', async () => {
          const before = await liveCodes();
          const refused = [
            'http://acme.test/cb', // not https
            'ftp://acme.test/cb',
            'https://acme.test.evil.com/cb',
            'https://evilacme.test/cb',
            'https://evil.com/cb?next=https://acme.test/',
            'https://acme.test@evil.com/cb', // userinfo
            'https://evil.com@acme.test/cb',
            'https://user:pw@acme.test/cb',
            '//evil.com/cb', // scheme-relative
            '///evil.com',
            '/relative/path',
            'https:\\\\evil.com\\cb', // backslashes
            'https://acme.test\\@evil.com/',
            'https://evil.com\\.acme.test/',
            'https://evil.com%2f.acme.test/', // encoded slashes and dots
            'https://evil.com%2F%2F.acme.test/',
            'https://acme.test%2f@evil.com/',
            'https://acme%2etest/',
            'https://acme.test./cb', // trailing dot, empty labels
            'https://.acme.test/cb',
            'https://a..acme.test/cb',
            'https://-x.acme.test/cb',
            'https://acme.test\n.evil.com/', // characters parsers drop
            'https://acme.test\t/cb',
            ' https://acme.test/cb',
            'https://[::1]/cb',
            'https://0x7f.1/cb',
            'javascript:alert(1)//acme.test',
            'data:text/html,<script>alert(1)</script>',
            'https://acme.test:99999/cb',
            'not a url',
          ];
          for (const url of refused) {
            const res = await generate({ api_key_secret: org.apiKeySecret, redirect_url: url });
            const error = expectEnvelopeError(res, 400, 'REDIRECT_NOT_ALLOWED', REDIRECT_MESSAGE);
            const issues = error['issues'] as string[];
            assert.equal(issues.length, 1, url);
            assert.match(issues[0]!, /^redirect_url: /, url);
          }
          assert.equal(await liveCodes(), before);
        });

        it('names the reason: https, and the host against the domain', async () => {
          const http = await generate({ api_key_secret: org.apiKeySecret, redirect_url: 'http://acme.test/cb' });
          assert.deepEqual(expectEnvelopeError(http, 400, 'REDIRECT_NOT_ALLOWED')['issues'], ['redirect_url: must use https.']);
          const other = await generate({ api_key_secret: org.apiKeySecret, redirect_url: 'https://evilacme.test/cb' });
          assert.deepEqual(expectEnvelopeError(other, 400, 'REDIRECT_NOT_ALLOWED')['issues'], ['redirect_url: host evilacme.test is not acme.test or one of its subdomains.']);
        });

        it('allows http(s) on localhost and 127.0.0.1 outside production', async () => {
          for (const url of ['http://127.0.0.1:4000/done?userId=42', 'http://localhost/done', 'https://localhost:8443/done']) {
            assert.equal((await generate({ api_key_secret: org.apiKeySecret, redirect_url: url })).status, 200, url);
          }
        });

        it('refuses localhost in production mode', async () => {
          const quiet = { development: false, send: async () => undefined };
          const production = await authKit(db.url, {}, { services: { smsSender: quiet, emailSender: quiet }, config: { mode: 'production', passwordHashCost: 15, mountPath: mount.mountPath } });
          try {
            for (const url of ['http://127.0.0.1:4000/done', 'https://localhost/done']) {
              const res = await request(mount.app(production).callback()).post(BUTTON_PATH).send({ api_key_secret: org.apiKeySecret, redirect_url: url });
              expectEnvelopeError(res, 400, 'REDIRECT_NOT_ALLOWED', REDIRECT_MESSAGE);
            }
            const ok = await request(mount.app(production).callback()).post(BUTTON_PATH).send({ api_key_secret: org.apiKeySecret, redirect_url: REDIRECT });
            assert.equal(ok.status, 200);
          } finally {
            await production.close();
          }
        });

        it('403 ORGANIZATION_DOMAIN_NOT_VERIFIED while the domain is not verified', async () => {
          const { apiKeySecret } = await kit.services.accountService.createOrganization({ name: 'Unverified', domain: 'unverified.test', email: 'ops@unverified.test' });
          const res = await generate({ api_key_secret: apiKeySecret, redirect_url: 'https://unverified.test/cb' });
          expectEnvelopeError(res, 403, 'ORGANIZATION_DOMAIN_NOT_VERIFIED', 'The organization’s domain is not verified yet; verify it before generating the Web3Connect button.');
        });

        it('401 INVALID_API_KEY_SECRET for an unknown or revoked secret', async () => {
          const unknown = await generate({ api_key_secret: 'w3ksk_not-a-real-secret', redirect_url: REDIRECT });
          expectEnvelopeError(unknown, 401, 'INVALID_API_KEY_SECRET', 'The API key secret is invalid or revoked.');
          const other = await verifiedOrganization(kit, 'rotated.test');
          await kit.services.apiKeyService.rotate(other.account.id);
          const revoked = await generate({ api_key_secret: other.apiKeySecret, redirect_url: 'https://rotated.test/cb' });
          expectEnvelopeError(revoked, 401, 'INVALID_API_KEY_SECRET');
        });

        it('400 for missing fields, wrong types and malformed JSON', async () => {
          const missing = await generate({ api_key_secret: org.apiKeySecret });
          assert.deepEqual(expectEnvelopeError(missing, 400, 'VALIDATION_FAILED')['issues'], ['redirect_url: is required.']);
          const types = await generate({ api_key_secret: 5, redirect_url: true });
          assert.deepEqual(expectEnvelopeError(types, 400, 'VALIDATION_FAILED')['issues'], ['api_key_secret: not a valid string.', 'redirect_url: not a valid string.']);
          const empty = await request(server).post(BUTTON_PATH);
          assert.deepEqual(expectEnvelopeError(empty, 400, 'VALIDATION_FAILED')['issues'], ['body: is required.']);
          const json = await request(server).post(BUTTON_PATH).set('content-type', 'application/json').send('{"api_key_secret": "x",');
          expectEnvelopeError(json, 400, 'INVALID_JSON', 'The request body is not valid JSON (it ends too early at line 1, column 24, position 23).');
          const long = await generate({ api_key_secret: org.apiKeySecret, redirect_url: `https://acme.test/${'x'.repeat(2048)}` });
          assert.deepEqual(expectEnvelopeError(long, 400, 'VALIDATION_FAILED')['issues'], ['redirect_url: must be at most 2048 characters.']);
        });
      });

      describe('auth: the association page (GET /rest/v1/association)', () => {
        it('shows the organization, sign-in and sign-up forms, and sets an HttpOnly SameSite=Strict CSRF cookie', async () => {
          const pageUrl = await newTicket();
          const res = await request(server).get(new URL(pageUrl).pathname + new URL(pageUrl).search);
          expectPage(res, 200, '<h1>Connect your ID wallet</h1>', 'Acme Corp', `action="${PAGE_PATH}/sign-in"`, `action="${PAGE_PATH}/sign-up"`, 'name="csrf"');
          assert.match(String(res.headers['content-security-policy']), /form-action 'self';/);
          const cookies = res.headers['set-cookie'] as unknown as string[];
          assert.equal(cookies.length, 1);
          assert.match(cookies[0]!, new RegExp(`^w3kit_association_csrf=[A-Za-z0-9_-]{43}; Path=${PAGE_PATH}; HttpOnly; SameSite=Strict$`));
        });

        it('escapes what it renders', async () => {
          const tricky = await verifiedOrganization(kit, 'tricky.test', 'Acme <b>&"Co\'</b>');
          const pageUrl = await newTicket('https://tricky.test/cb', tricky.apiKeySecret);
          const res = await request(server).get(new URL(pageUrl).pathname + new URL(pageUrl).search);
          expectPage(res, 200, 'Acme &lt;b&gt;&amp;&quot;Co&#39;&lt;/b&gt;');
          assert.ok(!res.text.includes('<b>&'));
        });

        it('410 page for an unknown, a missing and an expired ticket', async () => {
          const gone = 'This association link has expired or was already used.';
          expectPage(await request(server).get(`${PAGE_PATH}?token=${'A'.repeat(43)}`), 410, 'This link has expired', gone);
          expectPage(await request(server).get(`${PAGE_PATH}?token=%3Cscript%3E`), 410, 'This link has expired');
          expectPage(await request(server).get(PAGE_PATH), 410, 'This link has expired');
          expectPage(await request(server).get(`${PAGE_PATH}?token=a&token=b`), 410, 'This link has expired');

          const pageUrl = await newTicket();
          const browser = new CookieBrowser(server);
          const page = await browser.open(pageUrl);
          clock.advance(TICKET_TTL_MS + 1000);
          expectPage(await browser.get(new URL(pageUrl).pathname + new URL(pageUrl).search), 410, gone);
          expectPage(await page.submit('sign-up', { name: 'Late', email: uniqueEmail(), password: PASSWORD }), 410, gone);
        });
      });

      describe('auth: association sign-up, sign-in and confirmation (form posts)', () => {
        it('sign-up → confirm → 303 to redirect_url with the query kept and id_wallet_address; the association is recorded', async () => {
          const browser = new CookieBrowser(server);
          const pageUrl = await newTicket();
          const email = uniqueEmail();
          const page = await browser.open(pageUrl);
          const signUp = await signUpWithCode(page, inbox, { name: 'Ada Lovelace', email, password: PASSWORD });
          assert.equal(signUp.status, 303);
          assert.equal(signUp.headers['location'], new URL(pageUrl).pathname + new URL(pageUrl).search);
          assert.equal(signUp.headers['referrer-policy'], 'no-referrer');
          const signInCookie = (signUp.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('w3kit_association_sign_in='));
          assert.match(signInCookie!, new RegExp(`^w3kit_association_sign_in=[A-Za-z0-9_-]{43}; Path=${PAGE_PATH}; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));

          const user = await kit.services.accountStore.findByEmail(email);
          assert.ok(user?.wallet, 'sign-up creates the account with its ID wallet');
          assert.equal(user.accountType, 'end_user');
          assert.equal(user.emailVerified, true, 'the emailed code verified the address');
          assert.equal(user.name, 'Ada Lovelace');
          assert.equal(await kit.services.accountStore.isAssociated(org.account.id, user.id), false);

          const confirmPage = await browser.get(signUp.headers['location']);
          expectPage(confirmPage, 200, '<h1>Confirm the connection</h1>', 'Signed in as <b>Ada Lovelace', user.wallet.address, `action="${PAGE_PATH}/confirm"`);
          assert.match(String(confirmPage.headers['content-security-policy']), /form-action 'self' https:\/\/acme\.test;/);

          const confirm = await page.submit('confirm');
          assert.equal(confirm.status, 303, confirm.text);
          assert.equal(confirm.headers['location'], `https://acme.test/abc/def?g=h&userId=xxx&id_wallet_address=${user.wallet.address}`);
          assert.match(user.wallet.address, /^0x[0-9a-fA-F]{40}$/);
          assert.notEqual(user.wallet.address, user.wallet.address.toLowerCase(), 'checksummed');
          assert.equal(await kit.services.accountStore.isAssociated(org.account.id, user.id), true);
          assert.ok(!browser.cookies.has('w3kit_association_sign_in'), 'the sign-in cookie is cleared');

          // the ticket works once
          expectPage(await page.submit('confirm'), 410, 'This association link has expired or was already used.');
          expectPage(await browser.get(new URL(pageUrl).pathname + new URL(pageUrl).search), 410, 'This link has expired');
        });

        it('replaces an id_wallet_address already in redirect_url and keeps its fragment', async () => {
          const { page, email } = await signedUp('https://shop.acme.test/cb?id_wallet_address=0xforged&a=1#done');
          const user = await kit.services.accountStore.findByEmail(email);
          const confirm = await page.submit('confirm');
          assert.equal(confirm.headers['location'], `https://shop.acme.test/cb?id_wallet_address=${user!.wallet!.address}&a=1#done`);
        });

        it('sign-in: 401 page with one message for a wrong password and an unknown email; then the right password confirms', async () => {
          const email = uniqueEmail();
          const existing = await kit.services.accountService.createEndUser({ email, password: PASSWORD, name: 'Grace' });
          const browser = new CookieBrowser(server);
          const page = await browser.open(await newTicket());

          const wrong = await page.submit('sign-in', { email, password: 'wrong password' });
          expectPage(wrong, 401, `value="${email}"`);
          const unknown = await page.submit('sign-in', { email: uniqueEmail(), password: PASSWORD });
          expectPage(unknown, 401);
          assert.deepEqual(pageErrors(wrong.text), ['The email or password is wrong.']);
          assert.deepEqual(pageErrors(unknown.text), pageErrors(wrong.text));
          assert.ok(!wrong.text.includes('wrong password'), 'the password is never echoed');
          assert.ok(!browser.cookies.has('w3kit_association_sign_in'));

          const empty = await page.submit('sign-in', { email: '', password: '' });
          expectPage(empty, 400);
          assert.deepEqual(pageErrors(empty.text), ['Enter your email and password.']);

          const right = await page.submit('sign-in', { email: email.toUpperCase(), password: PASSWORD });
          assert.equal(right.status, 303, right.text);
          expectPage(await browser.get(right.headers['location']!), 200, 'Signed in as <b>Grace', existing.wallet!.address);
          const confirm = await page.submit('confirm');
          assert.equal(confirm.headers['location'], `${REDIRECT}&id_wallet_address=${existing.wallet!.address}`);
          assert.equal(await kit.services.accountStore.isAssociated(org.account.id, existing.id), true);
        });

        it('sign-in refuses organization accounts', async () => {
          await kit.services.accountService.createOrganization({ name: 'Org', domain: 'org-login.test', email: 'org@org-login.test', password: PASSWORD });
          const page = await new CookieBrowser(server).open(await newTicket());
          const res = await page.submit('sign-in', { email: 'org@org-login.test', password: PASSWORD });
          expectPage(res, 401);
          assert.deepEqual(pageErrors(res.text), ['The email or password is wrong.']);
        });

        it('sign-in is rate limited per email (429 page with retry-after), even for the right password', async () => {
          const email = uniqueEmail();
          await kit.services.accountService.createEndUser({ email, password: PASSWORD });
          const page = await new CookieBrowser(server).open(await newTicket());
          for (let i = 0; i < 10; i++) assert.equal((await page.submit('sign-in', { email, password: `wrong ${i}` })).status, 401);
          const limited = await page.submit('sign-in', { email, password: PASSWORD });
          expectPage(limited, 429);
          assert.deepEqual(pageErrors(limited.text), ['Too many requests; try again later.']);
          assert.ok(Number(limited.headers['retry-after']) >= 1);
        });

        it('sign-up: 400 page naming each invalid field, values kept and escaped, no account created', async () => {
          const browser = new CookieBrowser(server);
          const page = await browser.open(await newTicket());
          const res = await page.submit('sign-up', { name: ' ', email: 'not-an-email<x>', password: 'short' });
          expectPage(res, 400, '<details open>', 'value="not-an-email&lt;x&gt;"');
          assert.deepEqual(pageErrors(res.text), ['Enter your name.', 'Enter a valid email address.', 'The password must be at least 8 characters.']);
          assert.ok(!res.text.includes('value="short"'));
          const named = await page.submit('sign-up', { name: '<script>x</script>', email: 'no', password: PASSWORD });
          expectPage(named, 400, 'value="&lt;script&gt;x&lt;/script&gt;"');
          assert.ok(!named.text.includes('<script>'));
          assert.equal(await kit.services.accountStore.findByEmail('not-an-email<x>'), null);
        });

        it('confirm without signing in: 401 sign-in page, and the ticket stays usable', async () => {
          const browser = new CookieBrowser(server);
          const pageUrl = await newTicket();
          const page = await browser.open(pageUrl);
          const res = await page.submit('confirm');
          expectPage(res, 401, `action="${PAGE_PATH}/sign-in"`);
          assert.deepEqual(pageErrors(res.text), ['Sign in or create an account first.']);
          const signUp = await signUpWithCode(page, inbox, { name: 'Later', email: uniqueEmail(), password: PASSWORD });
          assert.equal(signUp.status, 303);
          assert.equal((await page.submit('confirm')).status, 303);
        });

        it('a sign-in counts only for its own ticket', async () => {
          const { browser, page } = await signedUp();
          const other = await browser.open(await newTicket());
          expectPage(other.res, 200, '<h1>Connect your ID wallet</h1>');
          expectPage(await other.submit('confirm'), 401);
          assert.equal((await page.submit('confirm')).status, 303);
        });

        it('sign-out: back to the sign-in form, and the old sign-in no longer confirms', async () => {
          const { browser, page, pageUrl } = await signedUp();
          const stale = browser.cookies.get('w3kit_association_sign_in')!;
          const out = await page.submit('sign-out');
          assert.equal(out.status, 303);
          assert.ok(!browser.cookies.has('w3kit_association_sign_in'));
          expectPage(await browser.get(new URL(pageUrl).pathname + new URL(pageUrl).search), 200, '<h1>Connect your ID wallet</h1>');
          browser.cookies.set('w3kit_association_sign_in', stale);
          expectPage(await page.submit('confirm'), 401);
        });

        it('two concurrent confirmations: exactly one redirects, the other gets the used-ticket page', async () => {
          const { page } = await signedUp();
          const results = await Promise.all([page.submit('confirm'), page.submit('confirm')]);
          assert.deepEqual(results.map((r) => r.status).sort(), [303, 410]);
        });

        it('the loser of a race (both read the live ticket, then confirm) gets ASSOCIATION_TICKET_GONE', async () => {
          const { browser, page } = await signedUp();
          const association = kit.services.associationService;
          const [first, second] = [await association.openTicket(page.form.token), await association.openTicket(page.form.token)];
          const signIn = browser.cookies.get('w3kit_association_sign_in');
          assert.match(await association.confirm(first, signIn), /id_wallet_address=0x/);
          await assert.rejects(association.confirm(second, signIn), (error: { code: string; status: number }) => {
            assert.equal(error.code, 'ASSOCIATION_TICKET_GONE');
            assert.equal(error.status, 410);
            return true;
          });
        });

        it('confirm re-checks the organization: 403 page once its domain is no longer verified', async () => {
          const other = await verifiedOrganization(kit, 'lapsed.test');
          const browser = new CookieBrowser(server);
          const page = await browser.open(await newTicket('https://lapsed.test/cb', other.apiKeySecret));
          assert.equal((await signUpWithCode(page, inbox, { name: 'Lin', email: uniqueEmail(), password: PASSWORD })).status, 303);
          await kit.services.accountStore.update(other.account.id, { domainVerified: false }, new Date());
          expectPage(await page.submit('confirm'), 403, 'The organization’s domain is not verified yet');
        });
      });

      describe('auth: association forms are protected against CSRF', () => {
        const refused = 'This form is no longer valid; reload the page and try again.';

        it('403 page for a post without, with a wrong, or with another ticket’s CSRF token; nothing happens', async () => {
          const browser = new CookieBrowser(server);
          const page = await browser.open(await newTicket());
          const email = uniqueEmail();
          const fields = { token: page.form.token, name: 'Eve', email, password: PASSWORD };
          expectPage(await browser.post(`${PAGE_PATH}/sign-up`, fields), 403, 'Please try again', refused);
          expectPage(await browser.post(`${PAGE_PATH}/sign-up`, { ...fields, csrf: `${page.form.csrf.slice(0, -1)}${page.form.csrf.endsWith('0') ? '1' : '0'}` }), 403, refused);
          expectPage(await browser.post(`${PAGE_PATH}/sign-up`, { ...fields, csrf: 'x' }), 403, refused);
          const other = await browser.open(await newTicket());
          expectPage(await browser.post(`${PAGE_PATH}/sign-up`, { ...fields, csrf: other.form.csrf }), 403, refused);
          assert.equal(await kit.services.accountStore.findByEmail(email), null);
        });

        it('403 page for the right token from a browser without the CSRF cookie', async () => {
          const page = await new CookieBrowser(server).open(await newTicket());
          const stranger = new CookieBrowser(server);
          const res = await stranger.post(`${PAGE_PATH}/sign-in`, { ...page.form, email: uniqueEmail(), password: PASSWORD });
          expectPage(res, 403, refused);
        });

        it('a confirm without the CSRF token does not use up the ticket', async () => {
          const { browser, page } = await signedUp();
          expectPage(await browser.post(`${PAGE_PATH}/confirm`, { token: page.form.token }), 403, refused);
          assert.equal((await page.submit('confirm')).status, 303);
        });
      });

      describe('auth: association form bodies', () => {
        it('415 page for a body that is not a form, 413 page for one too large', async () => {
          const browser = new CookieBrowser(server);
          const page = await browser.open(await newTicket());
          const cookie = [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
          const json = await request(server)
            .post(`${PAGE_PATH}/sign-in`)
            .set('cookie', cookie)
            .send({ ...page.form, email: 'a@b.test', password: PASSWORD });
          expectPage(json, 415, 'The request body must be application/x-www-form-urlencoded.');
          const large = await page.submit('sign-up', { name: 'x'.repeat(20_000), email: uniqueEmail(), password: PASSWORD });
          expectPage(large, 413, 'The request body is too large.');
        });
      });

      describe('auth: association URLs under a mount path', () => {
        it('builds the page URL from publicUrl + mountPath + basePaths.association; https adds Secure to the cookies', async () => {
          const mounted = await authKit(db.url, {}, { config: { publicUrl: 'https://id.example.com', mountPath: '/identity', basePaths: { association: '/connect' } } });
          try {
            const app = mount.app(mounted).callback();
            const res = await request(app).post('/identity/rest/v1/auth/account/association/generate_web3connect_button_js').send({ api_key_secret: org.apiKeySecret, redirect_url: REDIRECT });
            assert.equal(res.status, 200, res.text);
            const pageUrl = pageUrlOf(res.body.result as string);
            assert.match(pageUrl, /^https:\/\/id\.example\.com\/identity\/connect\/association\?token=[A-Za-z0-9_-]{43}$/);
            const page = await request(app).get(new URL(pageUrl).pathname + new URL(pageUrl).search);
            expectPage(page, 200, 'action="/identity/connect/association/sign-up"');
            assert.match((page.headers['set-cookie'] as unknown as string[])[0]!, /; Path=\/identity\/connect\/association; HttpOnly; SameSite=Strict; Secure$/);
            const paths = Object.keys(mounted.openapi()['paths'] as object);
            for (const path of ['/identity/rest/v1/auth/account/association/generate_web3connect_button_js', '/identity/connect/association', '/identity/connect/association/confirm']) {
              assert.ok(paths.includes(path), path);
            }
          } finally {
            await mounted.close();
          }
        });
      });

      describe('auth: association sign-up rate limit', () => {
        it('limits sign-ups per client IP (429 page)', async () => {
          const fresh = await createTestDatabase(kind);
          const started = await startKitServer(fresh.url, { config: { rateLimits: { 'auth.sign-up': { limit: 1, windowSeconds: 3600 } } } }, mount);
          try {
            const owner = await verifiedOrganization(started.kit, DOMAIN);
            const res = await request(started.server).post(BUTTON_PATH).send({ api_key_secret: owner.apiKeySecret, redirect_url: REDIRECT });
            const page = await new CookieBrowser(started.server).open(pageUrlOf(res.body.result as string));
            assert.equal((await page.submit('sign-up', { name: 'One', email: uniqueEmail(), password: PASSWORD })).status, 200);
            const second = await page.submit('sign-up', { name: 'Two', email: uniqueEmail(), password: PASSWORD });
            expectPage(second, 429, '<details open>');
            assert.deepEqual(pageErrors(second.text), ['Too many requests; try again later.']);
          } finally {
            await started.close();
            await fresh.drop();
          }
        });
      });
    });
  }
}
