import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { BUTTON_PATH, CookieBrowser, fieldOf, pageUrlOf, startKitServer, verifiedOrganization } from './association-support.js';
import { emailInbox } from './support.js';

const DOMAIN = 'signup.test';
const PASSWORD = 'correct horse battery';
const NOTICE_SUBJECT = 'Someone tried to sign up with your email address';

let counter = 0;
const uniqueEmail = () => `signup-${Date.now().toString(36)}-${counter++}@example.com`;

/** The error messages listed on a page. */
const pageErrors = (html: string) => [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);

/** A page with what differs by nature between two answers (the typed address, the random hidden fields) blanked out. */
const withoutRandomParts = (html: string, email: string) =>
  html
    .replaceAll(email, 'EMAIL')
    .replace(/name="(token|csrf|pending)" value="[^"]*"/g, 'name="$1" value="…"')
    .replace(/\?token=[A-Za-z0-9_-]+/g, '?token=…');

/** The headers an observer could compare, without the ones that differ per response by nature. */
const comparableHeaders = (res: request.Response) => {
  const { date, 'x-request-id': _id, 'content-length': _length, ...rest } = res.headers as Record<string, string>;
  void date;
  return rest;
};

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let server: Server;
    let clock: ManualClock;
    let close: () => Promise<void>;
    let org: Awaited<ReturnType<typeof verifiedOrganization>>;
    const inbox = emailInbox();

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      ({ kit, server, close } = await startKitServer(db.url, { services: { clock, emailSender: inbox.sender } }, undefined, { emailCodeTtlSeconds: 120 }));
      org = await verifiedOrganization(kit, DOMAIN, 'Signup Shop');
    });
    after(async () => {
      await close();
      await db.drop();
    });

    /** A fresh ticket's page in a new browser. */
    const openPage = async () => {
      const res = await request(server)
        .post(BUTTON_PATH)
        .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://${DOMAIN}/cb` });
      assert.equal(res.status, 200, res.text);
      return new CookieBrowser(server).open(pageUrlOf(res.body.result as string));
    };
    const accountRows = async () =>
      Number(
        (
          await kit.services.database.db
            .withTables<{ auth_accounts: { id: string } }>()
            .selectFrom('auth_accounts')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    describe('auth: association sign-up with a taken email answers as for a new one (no enumeration)', () => {
      it('same status, headers and page but for the random fields; no account created or changed; the owner is emailed a notice', async () => {
        const taken = uniqueEmail();
        const owner = await kit.services.accountService.createEndUser({ email: taken, password: 'the owner’s password', name: 'Grace' });
        const ownerBefore = await kit.services.accountStore.findById(owner.id);
        const fresh = uniqueEmail();
        const rowsBefore = await accountRows();

        const forFresh = await (await openPage()).submit('sign-up', { name: 'Mallory', email: fresh, password: PASSWORD });
        const forTaken = await (await openPage()).submit('sign-up', { name: 'Mallory', email: taken, password: PASSWORD });
        assert.equal(forTaken.status, 200, forTaken.text);
        assert.equal(forTaken.status, forFresh.status);
        assert.deepEqual(comparableHeaders(forTaken), comparableHeaders(forFresh));
        assert.equal(withoutRandomParts(forTaken.text, taken), withoutRandomParts(forFresh.text, fresh));
        assert.ok(forTaken.text.includes('<h1>Check your email</h1>'));
        assert.ok(!/already exists/i.test(forTaken.text));

        assert.equal(await accountRows(), rowsBefore, 'no account row yet for either (the new one waits for its code)');
        assert.deepEqual(await kit.services.accountStore.findById(owner.id), ownerBefore, 'the owner’s account is unchanged');
        const [notice, ...more] = inbox.to(taken);
        assert.equal(more.length, 0);
        assert.equal(notice!.subject, NOTICE_SUBJECT);
        assert.match(notice!.text, /Signup Shop \(signup\.test\)/);
        assert.match(notice!.text, /nothing was created or changed/);
        assert.doesNotMatch(notice!.text, /\b\d{6}\b/, 'the notice carries no code');
        assert.match(inbox.to(fresh).at(-1)!.text, /Enter the code \d{6} to finish creating your Web3Connect account/);
      });

      it('the taken email’s code form behaves like a new one’s: the same tries, then too many; no account ever appears', async () => {
        const taken = uniqueEmail();
        await kit.services.accountService.createEndUser({ email: taken, password: 'the owner’s password' });
        const fresh = uniqueEmail();
        const forms = [
          { email: taken, page: await openPage() },
          { email: fresh, page: await openPage() },
        ];
        const pendings = await Promise.all(forms.map(async ({ email, page }) => fieldOf((await page.submit('sign-up', { name: 'M', email, password: PASSWORD })).text, 'pending')));
        for (let left = 4; left >= 0; left--) {
          const [a, b] = await Promise.all(forms.map(({ email, page }, i) => page.submit('verify-email', { pending: pendings[i]!, email, code: '000000' })));
          assert.equal(a!.status, 422, a!.text);
          assert.equal(b!.status, 422);
          assert.deepEqual(pageErrors(a!.text), [`The code is wrong; ${left} ${left === 1 ? 'try' : 'tries'} left.`]);
          assert.equal(withoutRandomParts(a!.text, taken), withoutRandomParts(b!.text, fresh));
        }
        const [a, b] = await Promise.all(forms.map(({ email, page }, i) => page.submit('verify-email', { pending: pendings[i]!, email, code: '000000' })));
        assert.equal(a!.status, 422);
        assert.deepEqual(pageErrors(a!.text), ['Too many wrong codes; request a new one.']);
        assert.deepEqual(pageErrors(b!.text), pageErrors(a!.text));
        assert.equal(await kit.services.accountStore.findByEmail(fresh), null);
      });

      it('the address is matched however it is typed; an organization’s address is treated the same', async () => {
        const taken = uniqueEmail();
        await kit.services.accountService.createEndUser({ email: taken, password: 'the owner’s password' });
        // matched in its normalized form (case folded; surrounding spaces are refused, never trimmed: docs/auth.md "Identifiers")
        const res = await (await openPage()).submit('sign-up', { name: 'M', email: taken.toUpperCase(), password: PASSWORD });
        assert.equal(res.status, 200);
        assert.equal(inbox.to(taken).at(-1)!.subject, NOTICE_SUBJECT);
        const orgEmail = `ops@${DOMAIN}`;
        assert.equal((await (await openPage()).submit('sign-up', { name: 'M', email: orgEmail, password: PASSWORD })).status, 200);
        assert.equal(inbox.to(orgEmail).at(-1)!.subject, NOTICE_SUBJECT);
      });

      it('emails to one address are limited (auth.email.address): the 4th sign-up gets a 429 page, for a taken and a new address alike', async () => {
        const taken = uniqueEmail();
        await kit.services.accountService.createEndUser({ email: taken, password: 'the owner’s password' });
        const fresh = uniqueEmail();
        for (const email of [taken, fresh]) {
          const page = await openPage();
          for (let i = 0; i < 3; i++) assert.equal((await page.submit('sign-up', { name: 'M', email, password: PASSWORD })).status, 200);
          const limited = await page.submit('sign-up', { name: 'M', email, password: PASSWORD });
          assert.equal(limited.status, 429, limited.text);
          assert.deepEqual(pageErrors(limited.text), ['Too many requests; try again later.']);
          assert.ok(Number(limited.headers['retry-after']) >= 1);
          assert.equal(inbox.to(email).length, 3);
        }
      });
    });

    describe('auth: association sign-up is finished by the code emailed to the address', () => {
      it('wrong code: 422 code page; right code: the account (email verified, ID wallet) and the sign-in; the code works once', async () => {
        const page = await openPage();
        const email = uniqueEmail();
        const form = await page.submit('sign-up', { name: 'Ada', email, password: PASSWORD });
        assert.ok(form.text.includes(`We sent an email to <b>${email}</b>`));
        const pending = fieldOf(form.text, 'pending');
        const code = inbox.lastCode(email);
        const wrong = await page.submit('verify-email', { pending, email, code: code === '000000' ? '111111' : '000000' });
        assert.equal(wrong.status, 422);
        assert.deepEqual(pageErrors(wrong.text), ['The code is wrong; 4 tries left.']);
        assert.equal(await kit.services.accountStore.findByEmail(email), null);

        const right = await page.submit('verify-email', { pending, email, code });
        assert.equal(right.status, 303, right.text);
        const account = await kit.services.accountStore.findByEmail(email);
        assert.equal(account?.emailVerified, true);
        assert.ok(account.wallet);
        assert.equal(account.name, 'Ada');
        assert.ok(await kit.services.secretHasher.verify(PASSWORD, account.passwordHash), 'the password typed at sign-up');
        assert.match(String((right.headers['set-cookie'] as unknown as string[]).join()), /w3kit_association_sign_in=/);

        const again = await page.submit('verify-email', { pending, email, code });
        assert.equal(again.status, 422);
        assert.deepEqual(pageErrors(again.text), ['The code has expired or was already used; request a new one.']);
      });

      it('a code counts only on its own ticket', async () => {
        const first = await openPage();
        const email = uniqueEmail();
        const pending = fieldOf((await first.submit('sign-up', { name: 'Ada', email, password: PASSWORD })).text, 'pending');
        const other = await openPage();
        const elsewhere = await other.submit('verify-email', { pending, email, code: inbox.lastCode(email) });
        assert.equal(elsewhere.status, 422);
        assert.deepEqual(pageErrors(elsewhere.text), ['The code has expired or was already used; request a new one.']);
        assert.equal((await first.submit('verify-email', { pending, email, code: inbox.lastCode(email) })).status, 303);
      });

      it('a code expires after emailCodeTtlSeconds', async () => {
        const page = await openPage();
        const email = uniqueEmail();
        const pending = fieldOf((await page.submit('sign-up', { name: 'Ada', email, password: PASSWORD })).text, 'pending');
        clock.advance(121_000);
        const late = await page.submit('verify-email', { pending, email, code: inbox.lastCode(email) });
        assert.equal(late.status, 422);
        assert.deepEqual(pageErrors(late.text), ['The code has expired or was already used; request a new one.']);
        assert.equal(await kit.services.accountStore.findByEmail(email), null);
      });

      it('an address taken between the sign-up and the code: 409 sign-in page, no second account', async () => {
        const page = await openPage();
        const email = uniqueEmail();
        const pending = fieldOf((await page.submit('sign-up', { name: 'Ada', email, password: PASSWORD })).text, 'pending');
        const first = await kit.services.accountService.createEndUser({ email, password: 'someone else' });
        const res = await page.submit('verify-email', { pending, email, code: inbox.lastCode(email) });
        assert.equal(res.status, 409, res.text);
        assert.deepEqual(pageErrors(res.text), ['An account with this email already exists. Sign in instead.']);
        assert.equal((await kit.services.accountStore.findByEmail(email))!.id, first.id);
      });

      it('a code post without the CSRF token: 403 page, and the code is not spent', async () => {
        const browser = new CookieBrowser(server);
        const res = await request(server)
          .post(BUTTON_PATH)
          .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://${DOMAIN}/cb` });
        const page = await browser.open(pageUrlOf(res.body.result as string));
        const email = uniqueEmail();
        const pending = fieldOf((await page.submit('sign-up', { name: 'Ada', email, password: PASSWORD })).text, 'pending');
        const path = new URL(pageUrlOf(res.body.result as string)).pathname;
        const refused = await browser.post(`${path}/verify-email`, { token: page.form.token, pending, code: inbox.lastCode(email) });
        assert.equal(refused.status, 403);
        assert.ok(refused.text.includes('This form is no longer valid; reload the page and try again.'));
        assert.equal((await page.submit('verify-email', { pending, email, code: inbox.lastCode(email) })).status, 303);
      });
    });
  });
}
