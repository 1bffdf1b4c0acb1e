import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Kit } from '@w3kit/core';
import { appFor, createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { BUTTON_PATH, CookieBrowser, pageUrlOf, signUpWithCode, startKitServer, verifiedOrganization } from './association-support.js';
import { authKit, createEndUser, createOrganization, emailInbox, expectEnvelopeError, verifyEmailThroughApi } from './support.js';

const IMPORT = '/rest/v1/account/import';
const ASSOCIATIONS = '/rest/v1/account/associations';
const PASSWORD = 'correct horse battery';

let counter = 0;
const uniqueEmail = () => `import-${Date.now().toString(36)}-${counter++}@example.com`;

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let server: Server;
    let close: () => Promise<void>;
    let clock: ManualClock;
    const inbox = emailInbox();
    const importEmail = (bearer: string, email: string) => request(server).post(IMPORT).set('authorization', bearer).send({ email });
    const associations = (bearer: string) => request(server).get(ASSOCIATIONS).set('authorization', bearer);
    /** An end user whose email went through verify/email. */
    const verifiedUser = async () => {
      const user = await createEndUser(kit);
      await verifyEmailThroughApi(server, user.bearer, inbox, user.account.email!);
      return user;
    };

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      ({ kit, server, close } = await startKitServer(db.url, { services: { clock, emailSender: inbox.sender } }));
    });
    after(async () => {
      await close();
      await db.drop();
    });

    describe('auth: account/import finds verified emails only', () => {
      const NOT_FOUND = 'No end-user account has this verified email.';

      it('an unverified email answers exactly like an unknown one (404 ACCOUNT_NOT_FOUND), and records nothing', async () => {
        const org = await createOrganization(kit);
        const unverified = await createEndUser(kit);
        const forUnverified = await importEmail(org.bearer, unverified.account.email!);
        const forUnknown = await importEmail(org.bearer, uniqueEmail());
        expectEnvelopeError(forUnverified, 404, 'ACCOUNT_NOT_FOUND', NOT_FOUND);
        assert.deepEqual(forUnverified.body, forUnknown.body);
        assert.equal(forUnverified.status, forUnknown.status);
        assert.equal(await kit.services.accountStore.isAssociated(org.account.id, unverified.account.id), false);
      });

      it('the pre-hijack: an account squatting someone’s email on the association page is never created, so import cannot map it', async () => {
        const org = await verifiedOrganization(kit, `squat-${kind}.test`);
        const button = await request(server)
          .post(BUTTON_PATH)
          .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://squat-${kind}.test/cb` });
        const victim = uniqueEmail();
        const page = await new CookieBrowser(server).open(pageUrlOf(button.body.result as string));
        // the attacker signs up with the victim's address but cannot read the victim's mail
        assert.equal((await page.submit('sign-up', { name: 'Mallory', email: victim, password: PASSWORD })).status, 200);
        assert.equal(await kit.services.accountStore.findByEmail(victim), null);
        const { token } = await kit.services.tokenService.issueAccessToken(org.account);
        expectEnvelopeError(await importEmail(`Bearer ${token}`, victim), 404, 'ACCOUNT_NOT_FOUND', NOT_FOUND);
      });

      it('a verified email imports: the wallet address, and the association recorded as an import', async () => {
        const org = await createOrganization(kit);
        const user = await verifiedUser();
        const res = await importEmail(org.bearer, user.account.email!.toUpperCase());
        assert.deepEqual(res.body, { status: 'ok', result: { email: user.account.email, id_wallet_address: user.account.wallet!.address }, error: null });
        assert.equal(await kit.services.accountStore.isAssociated(org.account.id, user.account.id), true);
      });

      it('the end user is emailed when an organization imports them, once per organization', async () => {
        const org = await createOrganization(kit, `notice-${kind}.test`);
        const user = await verifiedUser();
        const before = inbox.to(user.account.email!).length;
        assert.equal((await importEmail(org.bearer, user.account.email!)).status, 200);
        const notices = inbox.to(user.account.email!).slice(before);
        assert.equal(notices.length, 1);
        assert.equal(notices[0]!.subject, 'Acme Corp connected to your Web3Connect account');
        assert.match(notices[0]!.text, new RegExp(`Acme Corp \\(notice-${kind}\\.test\\) imported your Web3Connect account`));
        assert.equal((await importEmail(org.bearer, user.account.email!)).status, 200);
        assert.equal(inbox.to(user.account.email!).length, before + 1, 'a repeated import sends nothing');
      });

      it('an import stands when the notice cannot be sent', async () => {
        const fresh = await createTestDatabase(kind);
        const failing = { development: false, send: async () => Promise.reject(new Error('relay down')) };
        const other = await authKit(fresh.url, {}, { services: { emailSender: failing } });
        try {
          const org = await createOrganization(other);
          const user = await createEndUser(other);
          await other.services.accountStore.update(user.account.id, { emailVerified: true }, new Date());
          const res = await request(appFor(other).callback()).post(IMPORT).set('authorization', org.bearer).send({ email: user.account.email });
          assert.equal(res.status, 200, res.text);
          assert.equal(await other.services.accountStore.isAssociated(org.account.id, user.account.id), true);
        } finally {
          await other.close();
          await fresh.drop();
        }
      });

      it('an organization’s own email is not an end user: 404 even when verified', async () => {
        const org = await createOrganization(kit);
        const other = await createOrganization(kit);
        await verifyEmailThroughApi(server, other.bearer, inbox, other.account.email!);
        expectEnvelopeError(await importEmail(org.bearer, other.account.email!), 404, 'ACCOUNT_NOT_FOUND', NOT_FOUND);
      });

      it('403 ORGANIZATION_ONLY for an end user, 400 for a bad email, 401 without a token', async () => {
        const user = await verifiedUser();
        expectEnvelopeError(await importEmail(user.bearer, user.account.email!), 403, 'ORGANIZATION_ONLY');
        const org = await createOrganization(kit);
        assert.deepEqual(expectEnvelopeError(await importEmail(org.bearer, 'not-an-email'), 400, 'VALIDATION_FAILED')['issues'], ['email: has an invalid format.']);
        expectEnvelopeError(await request(server).post(IMPORT).send({ email: user.account.email }), 401, 'UNAUTHENTICATED');
      });
    });

    describe('auth: GET /rest/v1/account/associations shows the end user who is associated, and how', () => {
      it('lists page confirmations and imports, oldest first, with the organization’s name and domain', async () => {
        const org = await verifiedOrganization(kit, `list-${kind}.test`, 'Page Org');
        const button = await request(server)
          .post(BUTTON_PATH)
          .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://list-${kind}.test/cb` });
        const browser = new CookieBrowser(server);
        const page = await browser.open(pageUrlOf(button.body.result as string));
        const email = uniqueEmail();
        assert.equal((await signUpWithCode(page, inbox, { name: 'Ada', email, password: PASSWORD })).status, 303);
        assert.equal((await page.submit('confirm')).status, 303);
        const user = (await kit.services.accountStore.findByEmail(email))!;
        const bearer = `Bearer ${(await kit.services.tokenService.issueAccessToken(user)).token}`;

        clock.advance(1000); // the order is by time
        const importer = await createOrganization(kit, `importer-${kind}.test`);
        assert.equal((await importEmail(importer.bearer, email)).status, 200);
        // importing again, or by the organization the user confirmed on the page, keeps the first record
        assert.equal((await importEmail(importer.bearer, email)).status, 200);
        const { token } = await kit.services.tokenService.issueAccessToken(org.account);
        assert.equal((await importEmail(`Bearer ${token}`, email)).status, 200);

        const res = await associations(bearer);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(Object.keys(res.body), ['status', 'result', 'error']);
        const list = res.body.result as Record<string, unknown>[];
        assert.deepEqual(
          list.map(({ associated_at, ...rest }) => (assert.match(String(associated_at), /^\d{4}-\d\d-\d\dT/), rest)),
          [
            { organization_id: org.account.id, name: 'Page Org', domain: `list-${kind}.test`, domain_verified: true, via: 'association_page' },
            { organization_id: importer.account.id, name: 'Acme Corp', domain: `importer-${kind}.test`, domain_verified: false, via: 'import' },
          ],
        );
      });

      it('an end user with no association gets an empty list; another user’s associations are not shown', async () => {
        const org = await createOrganization(kit);
        const imported = await verifiedUser();
        assert.equal((await importEmail(org.bearer, imported.account.email!)).status, 200);
        const stranger = await createEndUser(kit);
        assert.deepEqual((await associations(stranger.bearer)).body, { status: 'ok', result: [], error: null });
        assert.equal(((await associations(imported.bearer)).body.result as unknown[]).length, 1);
      });

      it('403 END_USER_ONLY for an organization, 401 without a token', async () => {
        const org = await createOrganization(kit);
        expectEnvelopeError(await associations(org.bearer), 403, 'END_USER_ONLY', 'Only an end-user account can do this.');
        expectEnvelopeError(await request(server).get(ASSOCIATIONS), 401, 'UNAUTHENTICATED');
      });
    });

    describe('auth: account/import rate limit per organization (auth.import)', () => {
      it('429 RATE_LIMITED with retry-after past the limit, found or not; another organization keeps its own budget', async () => {
        const fresh = await createTestDatabase(kind);
        const limited = await authKit(fresh.url, {}, { config: { rateLimits: { 'auth.import': { limit: 2, windowSeconds: 3600 } } } });
        try {
          const app = appFor(limited).callback();
          const org = await createOrganization(limited);
          const post = (bearer: string, email: string) => request(app).post(IMPORT).set('authorization', bearer).send({ email });
          expectEnvelopeError(await post(org.bearer, uniqueEmail()), 404, 'ACCOUNT_NOT_FOUND');
          expectEnvelopeError(await post(org.bearer, uniqueEmail()), 404, 'ACCOUNT_NOT_FOUND');
          const refused = await post(org.bearer, uniqueEmail());
          expectEnvelopeError(refused, 429, 'RATE_LIMITED', 'Too many requests; try again later.');
          assert.ok(Number(refused.headers['retry-after']) >= 1);
          const other = await createOrganization(limited);
          expectEnvelopeError(await post(other.bearer, uniqueEmail()), 404, 'ACCOUNT_NOT_FOUND');
        } finally {
          await limited.close();
          await fresh.drop();
        }
      });
    });
  });
}
