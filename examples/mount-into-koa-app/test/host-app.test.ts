import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { authenticatedAccount, InvalidAccessTokenError } from '@w3kit/auth';
import { createLogger, isKitError, type Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { createExampleKit, createHostApp, type HostAppOptions } from '@w3kit/example-mount-into-koa-app';
import Koa from 'koa';
import request from 'supertest';
import { CookieBrowser, pageUrlOf, signUpWithCode, verifiedOrganization } from '../../../packages/auth/test/association-support.js';
import { emailInbox } from '../../../packages/auth/test/support.js';
import { endUser, organization, staticMetadata } from '../../../packages/nft/test/support.js';

const PUBLIC_URL = 'https://notes.example.com';
const BUTTON = '/identity/rest/v1/auth/account/association/generate_web3connect_button_js';
const REFRESH = '/identity/rest/v1/auth/account/access_token/refresh';
const MY_INFO = '/identity/rest/v1/account/my_info';

/** The kit's Web3Connect error envelope with this status and code. */
function expectKitError(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body), ['status', 'result', 'error']);
  assert.equal(res.body.status, 'error');
  assert.equal(res.body.result, null);
  assert.equal(res.body.error.code, code);
}

/** The host's own error format, `{ error: { code, message } }`, and nothing else. */
function expectHostError(res: request.Response, status: number, error: { code: string; message: string }): void {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(res.body, { error });
}

/** The host app, quiet, with an outermost probe that sets host keys of its own and keeps each request's `ctx.state`. */
function probedHostApp(options: HostAppOptions) {
  const app = createHostApp(options);
  app.silent = true;
  const session = { id: 'host-session' };
  const user = { name: 'set by the host before the kit' };
  const states: { sameObject: boolean; state: Record<string, unknown> }[] = [];
  app.middleware.unshift(async (ctx, next) => {
    const state = ctx.state;
    Object.assign(ctx.state, { session, user });
    await next();
    states.push({ sameObject: ctx.state === state, state: { ...ctx.state } });
  });
  return { app, session, user, lastState: () => states.at(-1)! };
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let clock: ManualClock;
    let probe: ReturnType<typeof probedHostApp>;
    let http: () => ReturnType<typeof request>;
    const inbox = emailInbox();

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      kit = await createExampleKit({
        database: db.url,
        logger: createLogger({ level: 'silent' }),
        services: { clock, emailSender: inbox.sender },
        auth: { accessTokenTtlSeconds: 600 },
        config: { masterKey: randomBytes(32).toString('hex'), mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: PUBLIC_URL },
      });
      probe = probedHostApp({ kit });
      http = () => request(probe.app.callback());
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    describe('mount-into-koa-app: the host keeps its own routes', () => {
      it('home, notes with its own body parser, and its own headers answer as they would without the kit', async () => {
        const home = await http().get('/');
        assert.deepEqual(home.body, { service: 'notes', identity: '/identity/rest/v1', docs: '/identity/docs' });
        assert.match(String(home.headers['x-host-request-id']), /^[0-9a-f-]{36}$/);
        assert.match(String(home.headers['x-response-time']), /^\d+ms$/);
        const created = await http().post('/api/notes').send({ text: 'buy milk' });
        assert.equal(created.status, 201);
        assert.equal(created.body.note.text, 'buy milk');
        assert.equal(created.body.note.authorId, null);
        const form = await http().post('/api/notes').type('form').send({ text: 'from a form' });
        assert.equal(form.status, 201);
        const list = await http().get('/api/notes');
        assert.deepEqual(list.body.notes.map((n: { text: string }) => n.text).slice(-2), ['buy milk', 'from a form']);
        assert.equal((await http().get(`/api/notes/${created.body.note.id}`)).body.note.text, 'buy milk');
      });

      it('the host’s errors keep the host’s format: its 404, its own thrown errors, malformed JSON to its route', async () => {
        expectHostError(await http().get('/nope'), 404, { code: 'NOT_FOUND', message: 'No route for GET /nope.' });
        expectHostError(await http().get('/api/notes/999'), 404, { code: 'NOTE_NOT_FOUND', message: 'No note 999.' });
        expectHostError(await http().post('/api/notes').send({ text: 5 }), 422, { code: 'INVALID_NOTE', message: 'text must be a non-empty string of at most 1000 characters.' });
        expectHostError(await http().post('/api/notes').set('content-type', 'application/json').send('{"text":'), 400, { code: 'HTTP_400', message: 'Bad Request' });
        // a path under the kit's prefix that the kit does not serve is the host's 404 too
        expectHostError(await http().get('/identity/nope'), 404, { code: 'NOT_FOUND', message: 'No route for GET /identity/nope.' });
      });
    });

    describe('mount-into-koa-app: the kit under /identity', () => {
      it('serves its routes under /identity and not at the root', async () => {
        assert.deepEqual((await http().get('/identity/healthz')).body, { status: 'ok' });
        assert.equal((await http().get('/identity/.well-known/jwks.json')).body.keys.length, 1);
        const org = await verifiedOrganization(kit, `root-${kind}.test`);
        const token = await http().post(REFRESH).send({ api_key_secret: org.apiKeySecret });
        assert.equal(token.status, 200, token.text);
        const info = await http().get(MY_INFO).set('authorization', `Bearer ${token.body.result}`);
        assert.equal(info.body.result.account_id, org.account.id);
        assert.ok(Object.keys(kit.openapi()['paths'] as object).every((path) => path.startsWith('/identity/')));
        for (const [method, path] of [
          ['get', '/healthz'],
          ['get', '/.well-known/jwks.json'],
          ['get', '/rest/v1/account/my_info'],
          ['post', '/rest/v1/auth/account/access_token/refresh'],
          ['post', '/v2/auth/auth-user'],
        ] as const) {
          expectHostError(await http()[method](path).send({ api_key_secret: org.apiKeySecret }), 404, { code: 'NOT_FOUND', message: `No route for ${method.toUpperCase()} ${path}.` });
        }
      });

      it('the kit’s errors come in the route’s own wire format, never the host’s: 400, 401, 404, malformed JSON', async () => {
        const user = await endUser(kit);
        const missing = await http().post(REFRESH).send({});
        expectKitError(missing, 400, 'VALIDATION_FAILED');
        assert.deepEqual(missing.body.error.issues, ['api_key_secret: is required.']);
        expectKitError(await http().get(MY_INFO), 401, 'UNAUTHENTICATED');
        expectKitError(await http().get(MY_INFO).set('authorization', 'Bearer a.b.c'), 401, 'INVALID_TOKEN');
        expectKitError(
          await http()
            .get(`/identity/rest/v1/nft/0x${'0'.repeat(64)}`)
            .set('authorization', user.bearer),
          404,
          'NFT_NOT_FOUND',
        );
        expectKitError(await http().post(REFRESH).set('content-type', 'application/json').send('{"api_key_secret":'), 400, 'INVALID_JSON');
        // a Finenex route answers in its own format, with the mounted path
        const finenex = await http().post('/identity/v2/auth/auth-user').set('content-type', 'application/json').send('{"id":');
        assert.equal(finenex.status, 400);
        assert.equal(finenex.body.code, 'INVALID_JSON');
        assert.equal(finenex.body.path, '/identity/v2/auth/auth-user');
        // the kit's answers still went through the host's middleware
        assert.match(String(finenex.headers['x-host-request-id']), /^[0-9a-f-]{36}$/);
      });

      it('the host’s ctx.state keys are untouched by the kit, whose state stays under ctx.state.w3kit', async () => {
        const user = await endUser(kit);
        const res = await http().get(MY_INFO).set('authorization', user.bearer);
        assert.equal(res.status, 200);
        const { sameObject, state } = probe.lastState();
        assert.ok(sameObject, 'ctx.state is the host’s object, not replaced');
        assert.deepEqual(Object.keys(state).sort(), ['requestId', 'session', 'startedAt', 'user', 'w3kit']);
        assert.equal(state['session'], probe.session);
        assert.equal(state['user'], probe.user, 'the kit’s sign-in is not the host’s ctx.state.user');
        assert.equal(typeof state['startedAt'], 'number');
        assert.equal(state['requestId'], res.headers['x-host-request-id']);
        const w3kit = state['w3kit'] as { requestId: string; principal: { accountId: string } };
        assert.equal(w3kit.requestId, res.headers['x-request-id']);
        assert.notEqual(w3kit.requestId, state['requestId']);
        assert.equal(w3kit.principal.accountId, user.accountId);

        // on the host's own routes the kit adds nothing
        await http().get('/api/notes');
        assert.deepEqual(Object.keys(probe.lastState().state).sort(), ['requestId', 'session', 'startedAt', 'user']);
      });

      it('URLs the kit generates include /identity: the NFT token_uri and the association page in the button JS', async () => {
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        const minted = await http()
          .post(`/identity/rest/v1/nft/mint/to/${holder.address}`)
          .set('authorization', minter.bearer)
          .send({ visibility: 'public', metadata: { static: staticMetadata() } });
        assert.equal(minted.status, 200, minted.text);
        const tokenUri = new URL(minted.body.result.token_uri);
        assert.equal(tokenUri.href, `${PUBLIC_URL}/identity/rest/v1/nft/${minted.body.result.token_id}/metadata`);
        const metadata = await http().get(tokenUri.pathname);
        assert.equal(metadata.status, 200);
        assert.equal(metadata.body.name, 'Bachelor of Science');

        const org = await verifiedOrganization(kit, `button-${kind}.test`);
        const button = await http()
          .post(BUTTON)
          .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://button-${kind}.test/done` });
        assert.equal(button.status, 200, button.text);
        const pageUrl = new URL(pageUrlOf(button.body.result));
        assert.equal(`${pageUrl.origin}${pageUrl.pathname}`, `${PUBLIC_URL}/identity/rest/v1/association`);
        const page = await http().get(`${pageUrl.pathname}${pageUrl.search}`);
        assert.equal(page.status, 200);
        assert.ok(page.text.includes('action="/identity/rest/v1/association/sign-up"'));
        assert.match((page.headers['set-cookie'] as unknown as string[])[0]!, /; Path=\/identity\/rest\/v1\/association;/);
      });
    });

    describe('mount-into-koa-app: authenticatedAccount(kit, ctx) on host routes', () => {
      it('returns the account for a valid token (GET /api/me), and the host keeps it in its own ctx.state.user', async () => {
        const user = await endUser(kit);
        const me = await http().get('/api/me').set('authorization', user.bearer);
        assert.equal(me.status, 200, me.text);
        const account = await kit.services.accountDirectory.get(user.accountId);
        assert.deepEqual(me.body, { user: { id: user.accountId, type: 'end_user', name: null, email: account!.email, walletAddress: user.address } });
        assert.equal((probe.lastState().state['user'] as { id: string }).id, user.accountId);
        const note = await http().post('/api/notes').set('authorization', user.bearer).send({ text: 'mine' });
        assert.equal(note.body.note.authorId, user.accountId);
      });

      it('returns null without a token: the host decides (401 in its format on /api/me, an anonymous note)', async () => {
        expectHostError(await http().get('/api/me'), 401, { code: 'SIGN_IN_REQUIRED', message: 'Send Authorization: Bearer <token> from /identity.' });
        assert.equal(probe.lastState().state['user'], null);
        assert.equal((await http().post('/api/notes').send({ text: 'anonymous' })).body.note.authorId, null);
      });

      it('a bad, expired or orphaned token is a 401 the host renders in its own format, never anonymous', async () => {
        const invalid = { code: 'INVALID_TOKEN', message: 'The access token is invalid or expired.' };
        const user = await endUser(kit);
        for (const header of ['Bearer a.b.c', 'Basic dXNlcjpwYXNz', `${user.bearer}x`, 'Bearer']) {
          expectHostError(await http().get('/api/me').set('authorization', header), 401, invalid);
          expectHostError(await http().post('/api/notes').set('authorization', header).send({ text: 'x' }), 401, invalid);
        }
        const gone = await endUser(kit);
        await kit.services.db.withTables<{ auth_accounts: { id: string } }>().deleteFrom('auth_accounts').where('id', '=', gone.accountId).execute();
        expectHostError(await http().get('/api/me').set('authorization', gone.bearer), 401, invalid);

        clock.advance(601_000);
        expectHostError(await http().get('/api/me').set('authorization', user.bearer), 401, invalid);
        expectKitError(await http().get(MY_INFO).set('authorization', user.bearer), 401, 'INVALID_TOKEN');
      });

      it('throws a plain InvalidAccessTokenError (status 401, expose), not a KitError, and sets nothing on ctx.state', async () => {
        const caught: unknown[] = [];
        const states: string[][] = [];
        const app = new Koa();
        app.use(async (ctx) => {
          try {
            ctx.body = { account: await authenticatedAccount(kit, ctx) };
          } catch (error) {
            caught.push(error);
            ctx.status = 418;
          }
          states.push(Object.keys(ctx.state));
        });
        const user = await endUser(kit);
        assert.equal((await request(app.callback()).get('/').set('authorization', user.bearer)).body.account.id, user.accountId);
        assert.deepEqual((await request(app.callback()).get('/')).body, { account: null });
        await request(app.callback()).get('/').set('authorization', 'Bearer x.y.z');
        assert.equal(caught.length, 1);
        const error = caught[0] as InvalidAccessTokenError;
        assert.ok(error instanceof InvalidAccessTokenError);
        assert.ok(!isKitError(error));
        assert.deepEqual([error.status, error.expose, error.code, error.message], [401, true, 'INVALID_TOKEN', 'The access token is invalid or expired.']);
        assert.deepEqual(states, [[], [], []]);
      });
    });

    describe('mount-into-koa-app: the host’s body parser before the kit', () => {
      let first: Koa;
      let server: Server;
      before(async () => {
        first = createHostApp({ kit, bodyParserFirst: true });
        first.silent = true;
        server = createServer(first.callback()).listen(0, '127.0.0.1');
        await new Promise((resolve) => server.once('listening', resolve));
      });
      after(() => new Promise((resolve) => server.close(resolve)));

      it('the kit uses the JSON body the host parsed; host routes are unchanged', async () => {
        const org = await verifiedOrganization(kit, `parsed-${kind}.test`);
        const token = await request(server).post(REFRESH).send({ api_key_secret: org.apiKeySecret });
        assert.equal(token.status, 200, token.text);
        const typed = await request(server).post(REFRESH).send({ api_key_secret: 42 });
        expectKitError(typed, 400, 'VALIDATION_FAILED');
        assert.deepEqual(typed.body.error.issues, ['api_key_secret: not a valid string.']);
        assert.equal((await request(server).post('/api/notes').send({ text: 'parsed first' })).status, 201);
        expectHostError(await request(server).get('/nope'), 404, { code: 'NOT_FOUND', message: 'No route for GET /nope.' });
      });

      it('the association forms use the form body the host parsed', async () => {
        const org = await verifiedOrganization(kit, `form-${kind}.test`);
        const button = await request(server)
          .post(BUTTON)
          .send({ api_key_secret: org.apiKeySecret, redirect_url: `https://form-${kind}.test/done` });
        const page = await new CookieBrowser(server).open(pageUrlOf(button.body.result));
        const signUp = await signUpWithCode(page, inbox, { name: 'Parsed', email: `parsed-${kind}-${Date.now()}@example.com`, password: 'correct horse battery' });
        assert.equal(signUp.status, 303, signUp.text);
        const confirm = await page.submit('confirm');
        assert.equal(confirm.status, 303, confirm.text);
        assert.match(String(confirm.headers['location']), new RegExp(`^https://form-${kind}\\.test/done\\?id_wallet_address=0x[0-9a-fA-F]{40}$`));
      });

      it('the price of this order: a malformed body on a kit route is rejected by the host’s parser, in the host’s format', async () => {
        const res = await request(server).post(REFRESH).set('content-type', 'application/json').send('{"api_key_secret":');
        expectHostError(res, 400, { code: 'HTTP_400', message: 'Bad Request' });
      });
    });
  });
}
