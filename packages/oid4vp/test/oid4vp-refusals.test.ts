import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Openid4vpAuthorizationRequest } from '@openid4vc/openid4vp';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { Writable } from 'node:stream';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { oid4vp } from '@w3kit/oid4vp';
import { endUser, loadBalancer, MASTER_KEY, PUBLIC_URL, site, startInstance, TestIssuer, testIssuerPlugin, TestWallet, type Instance, type WalletTweaks } from './support.js';

type Answer = { status: number; body: Record<string, unknown> };

/** A Finenex error body of the oid4vp routes: status, code, a message, the path, and the reason when one is given. */
function assertRefused(res: Answer, status: number, code: string, reason?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body['status'], status);
  assert.equal(res.body['code'], code);
  assert.equal(typeof res.body['message'], 'string');
  assert.match(String(res.body['path']), /^\/oid4vp\//);
  if (reason !== undefined) assert.equal(res.body['reason'], reason, JSON.stringify(res.body));
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vp refusals: every bad presentation, request and result, with its status and error body', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let instance: Instance;
      let issuer: TestIssuer;
      let clock: ManualClock;
      let lb: ReturnType<typeof loadBalancer>;

      before(async () => {
        db = await createTestDatabase(kind);
        issuer = new TestIssuer();
        clock = createManualClock(Date.now());
        instance = await startInstance(db.url, issuer, {}, clock);
        lb = loadBalancer(instance);
      });
      beforeEach(() => clock.set(Date.now()));
      after(async () => {
        await instance?.close();
        await db?.drop();
      });

      /** A fresh account, its wallet and credential, and a started request. */
      async function prepared(start: object = {}) {
        const accountId = await endUser(instance.kit);
        const wallet = new TestWallet(lb);
        const issued = await issuer.issue(accountId, wallet.key.publicJwk);
        const started = await site(lb).start(start);
        const collect = (extra: object = {}) => site(lb).collect({ transaction_id: started.transaction_id, result_token: started.result_token, ...extra });
        return { accountId, wallet, ...issued, started, collect };
      }

      /** The wallet presents with the tweaks; the presentation is refused with the reason, and the site hears it too. */
      async function refusedWith(tweaks: WalletTweaks, reason: string, credential?: (p: Awaited<ReturnType<typeof prepared>>) => Promise<string>) {
        const p = await prepared();
        const answered = await p.wallet.login(p.started.authorization_request, credential ? await credential(p) : p.credential, tweaks);
        assertRefused(answered, 401, 'PRESENTATION_REJECTED', reason);
        assertRefused(await p.collect(), 400, 'LOGIN_FAILED', reason);
        return p;
      }

      it('oid4vp refuses a key-binding JWT addressed to another verifier (aud)', async () => {
        await refusedWith({ aud: 'decentralized_identifier:did:web:evil.example' }, 'AUDIENCE_MISMATCH');
      });

      it('oid4vp refuses a key-binding JWT with another nonce', async () => {
        await refusedWith({ nonce: 'another-request-nonce-0000' }, 'NONCE_MISMATCH');
      });

      it('oid4vp refuses a stale key-binding JWT', async () => {
        await refusedWith({ iat: Math.floor(Date.now() / 1000) - 3600 }, 'KEY_BINDING_TOO_OLD');
      });

      it('oid4vp refuses a tampered disclosure the holder bound with a valid key-binding JWT (unreferenced by the credential)', async () => {
        const tamper = (vp: string) => {
          const [jwt, ...disclosures] = vp.split('~');
          const forged = Buffer.from(JSON.stringify(['c2FsdA', 'sub', 'acct:someone-else'])).toString('base64url');
          return [jwt, ...disclosures.filter(Boolean), forged, ''].join('~');
        };
        await refusedWith({ beforeKeyBinding: tamper }, 'DISCLOSURE_UNREFERENCED');
      });

      it('oid4vp refuses a disclosure changed after the key-binding JWT (sd_hash)', async () => {
        const swap = (vp: string) => {
          const parts = vp.split('~');
          const kb = parts.pop()!;
          const forged = Buffer.from(JSON.stringify(['c2FsdA', 'email', 'x@evil.example'])).toString('base64url');
          return [...parts, forged, kb].join('~');
        };
        await refusedWith({ presentation: swap }, 'SD_HASH_MISMATCH');
      });

      it('oid4vp refuses a presentation that does not disclose sub (missing disclosure)', async () => {
        await refusedWith({ disclose: { email: true } }, 'DISCLOSURE_MISSING');
      });

      it('oid4vp refuses a revoked credential (statusOf)', async () => {
        const p = await prepared();
        issuer.revoked.add(p.idx);
        const answered = await p.wallet.login(p.started.authorization_request, p.credential);
        assertRefused(answered, 401, 'PRESENTATION_REJECTED', 'REVOKED');
      });

      it('oid4vp refuses a credential from another issuer, and one forged under the kit’s iss and kid', async () => {
        const other = new TestIssuer('https://other-issuer.example');
        await refusedWith({}, 'UNKNOWN_ISSUER', async (p) => (await other.issue(p.accountId, p.wallet.key.publicJwk)).credential);
        await refusedWith({}, 'SIGNATURE_INVALID', async (p) => (await issuer.issue(p.accountId, p.wallet.key.publicJwk, { signWith: other.key.privateJwk })).credential);
      });

      it('oid4vp refuses a credential of another vct, and one without a status entry', async () => {
        await refusedWith({}, 'WRONG_VCT', async (p) => (await issuer.issue(p.accountId, p.wallet.key.publicJwk, { vct: 'https://w3kit.test/credentials/other' })).credential);
        await refusedWith({}, 'STATUS_MISSING', async (p) => (await issuer.issue(p.accountId, p.wallet.key.publicJwk, { status: false })).credential);
      });

      it('oid4vp refuses a replayed presentation: the request takes one answer, and a used key-binding JWT logs in nowhere', async () => {
        const p = await prepared();
        const first = await p.wallet.login(p.started.authorization_request, p.credential);
        assert.equal(first.status, 200, JSON.stringify(first.body));
        assertRefused(await p.wallet.answer(first.request, { account: [first.vp] }), 400, 'REQUEST_ANSWERED');

        // the same key-binding JWT used meanwhile on another instance (recorded in the shared store): refused
        const other = await prepared();
        await other.wallet.resolve(other.started.authorization_request);
        const q = await prepared();
        const resolved = await q.wallet.resolve(q.started.authorization_request);
        const request = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
        const vp = await q.wallet.present(q.credential, request, resolved.client.effective);
        const signingInput = vp
          .slice(vp.lastIndexOf('~') + 1)
          .split('.')
          .slice(0, 2)
          .join('.');
        const key = createHash('sha256').update(`kb-jwt:${signingInput}`).digest('hex');
        const completion = {
          id: other.started.transaction_id,
          accountId: other.accountId,
          presentationKey: key,
          at: clock.now(),
          resultExpiresAt: new Date(clock.now().getTime() + 60_000),
          responseCodeHash: null,
        };
        assert.equal(await instance.kit.services.oid4vpRequestStore.complete(completion), 'completed');
        assertRefused(await q.wallet.answer(request, { account: [vp] }), 401, 'PRESENTATION_REJECTED', 'PRESENTATION_REPLAYED');
        assertRefused(await q.collect(), 400, 'LOGIN_FAILED', 'PRESENTATION_REPLAYED');
      });

      it('oid4vp answers two concurrent copies of one presentation once', async () => {
        const p = await prepared();
        const resolved = await p.wallet.resolve(p.started.authorization_request);
        const request = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
        const vp = await p.wallet.present(p.credential, request, resolved.client.effective);
        const answers = await Promise.all([p.wallet.answer(request, { account: [vp] }), p.wallet.answer(request, { account: [vp] })]);
        assert.equal(answers.filter((a) => a.status === 200).length, 1, JSON.stringify(answers));
        const loser = answers.find((a) => a.status !== 200)!;
        assert.ok(['REQUEST_ANSWERED', 'PRESENTATION_REJECTED'].includes(String(loser.body['code'])), JSON.stringify(loser.body));
        assert.equal((await p.collect()).status, 200);
      });

      it('oid4vp refuses a request_uri fetched twice', async () => {
        const p = await prepared();
        const first = await lb.fetch(p.started.request_uri);
        assert.equal(first.status, 200);
        assert.equal(first.headers.get('content-type'), 'application/oauth-authz-req+jwt');
        const second = await lb.fetch(p.started.request_uri);
        assertRefused({ status: second.status, body: (await second.json()) as Record<string, unknown> }, 400, 'REQUEST_URI_USED');
        // and the wallet that comes second cannot resolve the request
        await assert.rejects(p.wallet.resolve(p.started.authorization_request));
      });

      it('oid4vp refuses an expired request: its request_uri, an answer after the wait, and the result', async () => {
        const unfetched = await prepared();
        clock.advance(301_000);
        const late = await lb.fetch(unfetched.started.request_uri);
        assertRefused({ status: late.status, body: (await late.json()) as Record<string, unknown> }, 400, 'REQUEST_EXPIRED');
        assertRefused(await unfetched.collect(), 400, 'REQUEST_EXPIRED');

        clock.set(Date.now());
        const p = await prepared();
        const resolved = await p.wallet.resolve(p.started.authorization_request);
        const request = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
        const vp = await p.wallet.present(p.credential, request, resolved.client.effective);
        clock.advance(301_000);
        assertRefused(await p.wallet.answer(request, { account: [vp] }), 400, 'REQUEST_EXPIRED');
      });

      it('oid4vp housekeeping deletes a request an hour after its times end, and with it the replay key of its presentation', async () => {
        const p = await prepared();
        const answered = await p.wallet.login(p.started.authorization_request, p.credential);
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        const signingInput = answered.vp
          .slice(answered.vp.lastIndexOf('~') + 1)
          .split('.')
          .slice(0, 2)
          .join('.');
        const key = createHash('sha256').update(`kb-jwt:${signingInput}`).digest('hex');
        /** Completes a fresh fetched request with the key: 'replayed' while another row holds it. */
        const completeAnotherWith = async (presentationKey: string) => {
          const other = await prepared();
          await other.wallet.resolve(other.started.authorization_request);
          const at = clock.now();
          return instance.kit.services.oid4vpRequestStore.complete({
            id: other.started.transaction_id,
            accountId: other.accountId,
            presentationKey,
            at,
            resultExpiresAt: new Date(at.getTime() + 60_000),
            responseCodeHash: null,
          });
        };
        clock.advance(30 * 60_000);
        await instance.kit.runHousekeeping();
        assert.ok(await instance.kit.services.oid4vpRequestStore.find(p.started.transaction_id), 'kept within the hour');
        assert.equal(await completeAnotherWith(key), 'replayed', 'the replay key is kept with its request');
        clock.advance(2 * 3600_000);
        await instance.kit.runHousekeeping();
        assert.equal(await instance.kit.services.oid4vpRequestStore.find(p.started.transaction_id), null);
        assertRefused(await p.collect(), 400, 'REQUEST_NOT_FOUND');
        // forgotten with its row: by then no request has the nonce its key-binding JWT names
        assert.equal(await completeAnotherWith(key), 'completed');
      });

      it('oid4vp refuses a plain vp_token to a request that asked for an encrypted response (direct_post.jwt)', async () => {
        const p = await prepared({ response_mode: 'direct_post.jwt' });
        const resolved = await p.wallet.resolve(p.started.authorization_request);
        const request = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
        const vp = await p.wallet.present(p.credential, request, resolved.client.effective);
        assertRefused(await p.wallet.answer({ ...request, response_mode: 'direct_post' }, { account: [vp] }), 400, 'RESPONSE_MALFORMED');
        assertRefused(await p.collect(), 400, 'LOGIN_FAILED', 'RESPONSE_MALFORMED');
      });

      it('oid4vp refuses a result without the request’s result token', async () => {
        const p = await prepared();
        assertRefused(await p.collect({ result_token: 'not-the-token-of-this-request' }), 401, 'INVALID_RESULT_TOKEN');
        assertRefused(await site(lb).collect({ transaction_id: 'A'.repeat(24), result_token: p.started.result_token }), 400, 'REQUEST_NOT_FOUND');
        const bad = await site(lb).collect({ transaction_id: p.started.transaction_id });
        assert.equal(bad.status, 400, JSON.stringify(bad.body));
        assert.equal(bad.body['code'], 'VALIDATION_FAILED');
      });

      it('oid4vp same-device: the wallet is sent back with a response_code, and only that code collects the login', async () => {
        const p = await prepared({ flow: 'same_device', redirect_uri: `${PUBLIC_URL}/oid4vp/login` });
        const answered = await p.wallet.login(p.started.authorization_request, p.credential);
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        const redirect = String(answered.body['redirect_uri']);
        const code = /#response_code=([A-Za-z0-9_-]+)$/.exec(redirect)?.[1];
        assert.ok(redirect.startsWith(`${PUBLIC_URL}/oid4vp/login#`) && code, redirect);
        assertRefused(await p.collect(), 401, 'INVALID_RESULT_TOKEN');
        assertRefused(await p.collect({ response_code: 'x'.repeat(32) }), 401, 'INVALID_RESULT_TOKEN');
        const login = await p.collect({ response_code: code });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        assert.equal(typeof login.body['token'], 'string');
      });

      it('oid4vp refuses a same-device redirect_uri on another origin, and a cross-device one with a redirect_uri', async () => {
        assertRefused(await site(lb).startRaw({ flow: 'same_device', redirect_uri: 'https://evil.example/cb' }), 400, 'REDIRECT_NOT_ALLOWED');
        assertRefused(await site(lb).startRaw({ flow: 'same_device' }), 400, 'REDIRECT_NOT_ALLOWED');
        assertRefused(await site(lb).startRaw({ redirect_uri: `${PUBLIC_URL}/cb` }), 400, 'REDIRECT_NOT_ALLOWED');
      });
    });

    describe('oid4vp unavailable: without an issuer, or with an http public URL, a login is refused with a clear error', function () {
      this.timeout(60_000);
      it('oid4vp answers 503 OID4VP_UNAVAILABLE when no sdJwtVcIssuer is composed, and says why at startup', async () => {
        const db = await createTestDatabase(kind);
        const lines: string[] = [];
        const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(String(chunk)), done()) });
        const instance = await startInstance(db.url, null, {}, undefined, createLogger({ level: 'warn' }, sink));
        try {
          assert.ok(
            lines.some((l) => /no sdJwtVcIssuer is composed/.test(l)),
            lines.join(''),
          );
          const refused = await site(loadBalancer(instance)).startRaw({});
          assertRefused(refused, 503, 'OID4VP_UNAVAILABLE');
          assert.match(String(refused.body['message']), /no SD-JWT VC issuer \(oid4vci\) is composed/);
        } finally {
          await instance.close();
          await db.drop();
        }
      });

      it('oid4vp answers 503 OID4VP_UNAVAILABLE with an http public URL (wallets speak https only), with an issuer composed', async () => {
        const db = await createTestDatabase(kind);
        const kit = await createKit({
          database: db.url,
          plugins: [auth(), testIssuerPlugin(new TestIssuer('http://127.0.0.1:3000')), oid4vp()],
          logger: createLogger({ level: 'silent' }),
          config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'http://127.0.0.1:3000' },
        });
        try {
          await assert.rejects(kit.services.oid4vpService.start({ flow: 'cross_device', responseMode: 'direct_post.jwt' }), (error: { status: number; code: string; message: string }) => {
            assert.equal(error.status, 503);
            assert.equal(error.code, 'OID4VP_UNAVAILABLE');
            assert.match(error.message, /needs an https PUBLIC_URL/);
            return true;
          });
        } finally {
          await kit.close();
          await db.drop();
        }
      });
    });
  });
}
