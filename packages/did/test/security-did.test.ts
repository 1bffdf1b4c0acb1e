import assert from 'node:assert/strict';
import { createLogger, type Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import request from 'supertest';
import { appFor, createUser, didKit, poster, SEED, walletKey, walletPresentation, type TestApp } from './support.js';

type Json = Record<string, unknown>;

const V2 = 'https://www.w3.org/ns/credentials/v2';
const SENDERS = {
  smsSender: { development: false, send: async () => {} },
  emailSender: { development: false, send: async () => {} },
};

/** A Data Integrity-shaped presentation of `count` (unsigned) credentials: the bounds are checked before any proof. */
function presentationOf(count: number, proofs = 1): Json {
  const proof = { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'authentication', proofValue: 'z1' };
  const credential = { '@context': [V2], type: ['VerifiableCredential'], issuer: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', credentialSubject: { name: 'x' }, proof };
  return {
    '@context': [V2],
    type: ['VerifiablePresentation'],
    verifiableCredential: Array.from({ length: count }, () => credential),
    proof: proofs === 1 ? proof : Array.from({ length: proofs }, () => proof),
  };
}

/** A credential of `values` JSON values in look-alike blank nodes, the shape that is dear to canonicalize. */
function complexCredential(items: number): Json {
  const credential = presentationOf(1).verifiableCredential as Json[];
  return { ...credential[0]!, credentialSubject: { name: 'x', items: Array.from({ length: items }, () => ({ a: 'x', b: { c: 'y' } })) } };
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: TestApp;
    let verifier: string;

    before(async () => {
      db = await createTestDatabase(kind);
      kit = await didKit(db.url, { loginDemoPage: true });
      app = appFor(kit).callback();
      verifier = (await request(app).get('/v2/did/verifiers')).body[0].did;
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const post = (path: string, body: unknown, on: TestApp = app, bearer?: string) => poster(on)(path, body, bearer);

    /** A user whose wallet holds a kit credential, and a pending website login the wallet completes. */
    async function completedLogin(instance: Kit, on: TestApp) {
      const user = await createUser(instance);
      const wallet = walletKey();
      const created = await post('/v2/did/create-vc', { holder: wallet.did, userInfo: {} }, on, user.bearer);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const credential = created.body as Json;
      const login = (await post('/v2/auth/auth-user-by-app', { requestId: 'https://shop.example?', waitTime: 60 }, on)).body as { requestId: string; resultToken: string };
      const vp = await walletPresentation(wallet.issuer, [credential], { aud: verifier, nonce: login.requestId });
      const done = await post('/v2/auth/auth-user-with-vp', { requestId: login.requestId, vp }, on);
      assert.equal(done.status, 200, JSON.stringify(done.body));
      return { user, login };
    }

    describe('did security: website-login resultToken', () => {
      it('production: a bystander who saw the requestId can neither collect nor cancel; the site with the resultToken collects', async () => {
        const production = await didKit(db.url, {}, { services: SENDERS, config: { mode: 'production', publicUrl: 'https://kit.example', passwordHashCost: 15 } });
        try {
          const on = appFor(production).callback();
          const { user, login } = await completedLogin(production, on);
          const expected = { status: 401, error: 'Unauthorized', code: 'INVALID_RESULT_TOKEN', message: 'resultToken is required.' };
          const bystander = await post('/v2/auth/auth-user-result-by-app', { requestId: login.requestId }, on);
          assert.deepEqual(bystander.body, { ...expected, path: '/v2/auth/auth-user-result-by-app' });
          const wrong = await post('/v2/auth/auth-user-result-by-app', { requestId: login.requestId, resultToken: 'guess' }, on);
          assert.equal(wrong.status, 401);
          assert.equal(wrong.body.message, 'The resultToken does not match this login request.');
          const site = await post('/v2/auth/auth-user-result-by-app', { requestId: login.requestId, resultToken: login.resultToken }, on);
          assert.equal(site.status, 200);
          assert.equal(site.body.userId, user.loginId);

          const pending = (await post('/v2/auth/auth-user-by-app', { requestId: 'https://shop.example?' }, on)).body as { requestId: string; resultToken: string };
          const cancel = await post('/v2/auth/cancel-auth-user-by-app', { requestId: pending.requestId }, on);
          assert.deepEqual(cancel.body, { ...expected, path: '/v2/auth/cancel-auth-user-by-app' });
          assert.equal((await post('/v2/auth/auth-user-result-by-app', { requestId: pending.requestId, resultToken: pending.resultToken }, on)).body.code, 'LOGIN_PENDING', 'still pending');
          assert.equal((await post('/v2/auth/cancel-auth-user-by-app', { requestId: pending.requestId, resultToken: pending.resultToken }, on)).status, 204);
        } finally {
          await production.close();
        }
      });

      it('production with requireAppLoginResultToken: false (clients that cannot send it): the result is collected without it, and the start logs a warning', async () => {
        const lines: string[] = [];
        const logger = createLogger({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
        const lax = await didKit(db.url, { requireAppLoginResultToken: false }, { logger, services: SENDERS, config: { mode: 'production', publicUrl: 'https://kit.example', passwordHashCost: 15 } });
        try {
          const on = appFor(lax).callback();
          assert.ok(
            lines.some((l) => JSON.parse(l).level === 40 && /requireAppLoginResultToken is false in production/.test(JSON.parse(l).msg)),
            lines.join('\n'),
          );
          const { user, login } = await completedLogin(lax, on);
          const collected = await post('/v2/auth/auth-user-result-by-app', { requestId: login.requestId }, on);
          assert.equal(collected.status, 200);
          assert.equal(collected.body.userId, user.loginId);
        } finally {
          await lax.close();
        }
      });

      it('outside production the Finenex document’s clients, which know no resultToken, still collect (the default there); no warning', async () => {
        const lines: string[] = [];
        const logger = createLogger({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
        const development = await didKit(db.url, {}, { logger, config: { mode: 'development' } });
        try {
          const on = appFor(development).callback();
          const { login } = await completedLogin(development, on);
          assert.equal((await post('/v2/auth/auth-user-result-by-app', { requestId: login.requestId }, on)).status, 200);
          assert.deepEqual(
            lines.filter((l) => /requireAppLoginResultToken/.test(l)),
            [],
          );
        } finally {
          await development.close();
        }
      });

      it('the login demo shows the site named in the requestId as unverified', async () => {
        const page = await request(app).get('/v2/login-demo');
        assert.equal(page.status, 200);
        const requestId = /data-request-id="([^"]+)"/.exec(page.text)![1]!;
        assert.match(requestId, /^http:\/\/127\.0\.0\.1:3000\/v2\/login-demo\?requestId=[A-Za-z0-9_-]{24}$/);
        assert.match(page.text, /Site named in this request: <b id="request-site">http:\/\/127\.0\.0\.1:3000\/v2\/login-demo<\/b>/);
        assert.match(page.text, /<span class="unverified" id="site-unverified">Not verified: whoever asks for a login names any site URL here\. Log in only if it is the site you are on\.<\/span>/);
      });
    });

    describe('did security: verify endpoint limits', () => {
      it('verify-vc, verify-vp, /credentials/verify and /presentations/verify share a per-IP budget (did.verify): 429 with retry-after in the Finenex body', async () => {
        const limited = await didKit(db.url, {}, { config: { rateLimits: { 'did.verify': { limit: 3, windowSeconds: 60 } } } });
        try {
          const on = appFor(limited).callback();
          assert.equal((await post('/v2/did/verify-vc', SEED.verifyVc, on)).status, 200);
          assert.equal((await post('/credentials/verify', { verifiableCredential: SEED.verifyVc }, on)).status, 200);
          assert.equal((await post('/v2/did/verify-vp', SEED.verifyVp, on)).status, 200);
          for (const [path, body] of [
            ['/v2/did/verify-vc', SEED.verifyVc],
            ['/v2/did/verify-vp', SEED.verifyVp],
            ['/credentials/verify', { verifiableCredential: SEED.verifyVc }],
            ['/presentations/verify', { verifiablePresentation: SEED.verifyVp }],
          ] as const) {
            const res = await post(path, body, on);
            assert.equal(res.status, 429, path);
            assert.ok(Number(res.headers['retry-after']) >= 1);
            assert.deepEqual(res.body, {
              status: 429,
              error: 'Too Many Requests',
              code: 'RATE_LIMITED',
              message: 'Too many requests; try again later.',
              path,
              retry_after_seconds: Number(res.headers['retry-after']),
            });
          }
        } finally {
          await limited.close();
        }
      });

      it('verifyRateLimit: false turns the limit off (the did-verify benchmark does)', async () => {
        const unlimited = await didKit(db.url, { verifyRateLimit: false }, { config: { rateLimits: { 'did.verify': { limit: 3, windowSeconds: 60 } } } });
        try {
          const on = appFor(unlimited).callback();
          for (let i = 0; i < 6; i++) assert.equal((await post('/v2/did/verify-vc', SEED.verifyVc, on)).status, 200);
        } finally {
          await unlimited.close();
        }
      });

      it('a credential over verifyMaxBytes (64 KiB) is 413 in each API’s body, before any verification', async () => {
        const big = { ...(presentationOf(1).verifiableCredential as Json[])[0]!, credentialSubject: { name: 'x'.repeat(70_000) } };
        for (const [path, body] of [
          ['/v2/did/verify-vc', big],
          ['/credentials/verify', { verifiableCredential: big }],
          ['/v2/did/verify-vp', { ...presentationOf(0), verifiableCredential: [big] }],
          ['/presentations/verify', { verifiablePresentation: { ...presentationOf(0), verifiableCredential: [big] } }],
        ] as const) {
          const res = await post(path, body);
          assert.equal(res.status, 413, path);
          assert.deepEqual(res.body, {
            status: 413,
            error: 'Payload Too Large',
            code: 'PAYLOAD_TOO_LARGE',
            message: 'A credential or presentation to verify may have at most 65536 bytes of JSON.',
            path,
            limit_bytes: 65536,
          });
        }
      });

      it('complexity bounds: JSON values, credentials per presentation (JWT ones counted inside the JWT), proofs; 400 TOO_COMPLEX_TO_VERIFY', async () => {
        const jwtCredential = SEED.verifyVc;
        const holder = walletKey();
        const jwtVp = async (count: number) => ({
          proof: {
            type: 'JwtProof2020',
            jwt: (
              (
                await walletPresentation(
                  holder.issuer,
                  Array.from({ length: count }, () => jwtCredential),
                  { aud: verifier },
                )
              ).proof as Json
            )['jwt'],
          },
        });
        const cases: [string, unknown, string, number, string][] = [
          ['/v2/did/verify-vc', complexCredential(1000), 'verifyMaxNodes', 2000, 'A credential or presentation to verify may have at most 2000 JSON values.'],
          ['/credentials/verify', { verifiableCredential: complexCredential(1000) }, 'verifyMaxNodes', 2000, 'A credential or presentation to verify may have at most 2000 JSON values.'],
          ['/v2/did/verify-vp', presentationOf(17), 'verifyMaxCredentials', 16, 'A presentation may carry at most 16 credentials.'],
          ['/presentations/verify', { verifiablePresentation: presentationOf(17) }, 'verifyMaxCredentials', 16, 'A presentation may carry at most 16 credentials.'],
          ['/v2/did/verify-vp', await jwtVp(17), 'verifyMaxCredentials', 16, 'A presentation may carry at most 16 credentials.'],
          ['/v2/auth/auth-user-with-vp', { vp: await jwtVp(17) }, 'verifyMaxCredentials', 16, 'A presentation may carry at most 16 credentials.'],
          ['/v2/did/verify-vp', presentationOf(1, 5), 'verifyMaxProofs', 4, 'A credential or presentation may carry at most 4 proofs.'],
          ['/presentations/verify', { verifiablePresentation: presentationOf(1, 5) }, 'verifyMaxProofs', 4, 'A credential or presentation may carry at most 4 proofs.'],
        ];
        for (const [path, body, limit, max, message] of cases) {
          const res = await post(path, body);
          assert.equal(res.status, 400, `${path} ${limit}: ${JSON.stringify(res.body).slice(0, 300)}`);
          assert.deepEqual(res.body, { status: 400, error: 'Bad Request', code: 'TOO_COMPLEX_TO_VERIFY', message, path, limit, max });
        }
        // at the bounds the same inputs are verified: 200
        for (const [path, body] of [
          ['/v2/did/verify-vp', presentationOf(16, 4)],
          ['/v2/did/verify-vp', await jwtVp(16)],
          ['/v2/did/verify-vc', complexCredential(100)],
        ] as const) {
          const res = await post(path, body);
          assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`);
          assert.equal(typeof res.body.verified, 'boolean');
        }
      });

      it('the bounds are options: raised, the same credential is verified', async () => {
        const roomy = await didKit(db.url, { verifyMaxNodes: 10_000, verifyMaxCredentials: 20 });
        try {
          const on = appFor(roomy).callback();
          const res = await post('/v2/did/verify-vc', complexCredential(1000), on);
          assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
          assert.equal((await post('/v2/did/verify-vp', presentationOf(17), on)).status, 200);
        } finally {
          await roomy.close();
        }
        assert.throws(() => didKit(db.url, { verifyMaxNodes: 0 }), /verifyMaxNodes must be a positive integer/);
      });
    });
  });
}
