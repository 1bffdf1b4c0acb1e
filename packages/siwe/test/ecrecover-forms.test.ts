import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import type request from 'supertest';
import { DAPP, message, newKey, siweApi, siweKit } from './support.js';

type Body = Record<string, unknown>;

// The kit recovers EOA signatures itself with noble's curve (signature-checker.ts), not through
// viem's recoverMessageAddress: these are the forms a wallet's 65 bytes come in, and the ones
// that are not a signature, answered over HTTP as before.
const CHAIN = 10; // no RPC endpoint: ecrecover is the only check
const GENEROUS = { 'siwe.nonce': { limit: 10_000, windowSeconds: 60 }, 'siwe.verify': { limit: 10_000, windowSeconds: 60 } };
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function assertInvalidSignature(res: request.Response) {
  assert.equal(res.status, 401, JSON.stringify(res.body));
  const body = res.body as Body;
  assert.equal(body['status'], 401);
  assert.equal(body['code'], 'SIWE_SIGNATURE_INVALID');
  assert.equal(body['path'], '/v2/auth/siwe/verify');
}

const hex64 = (n: bigint) => n.toString(16).padStart(64, '0');

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('siwe-perf: ecrecover of the signature forms', function () {
      this.timeout(30_000);
      let db: TestDatabase;
      let kit: Kit;
      let api: ReturnType<typeof siweApi>;

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await siweKit(db.url, { allowedOrigins: [DAPP], chains: [{ chainId: CHAIN }], signUp: true }, { config: { rateLimits: GENEROUS } });
        api = siweApi(kit);
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
      });

      /** A message with a fresh nonce, signed by `key`: r ‖ s ‖ v with v 27 or 28, as wallets answer personal_sign. */
      async function signed(key = newKey()) {
        const text = message({ address: key.address as `0x${string}`, nonce: await api.nonce(), chainId: CHAIN });
        return { key, message: text, signature: await key.signMessage(text) };
      }

      it('v as 27/28, as 0/1 (y parity) and in upper-case hex all sign the address in', async () => {
        const key = newKey();
        const forms = [(s: string) => s, (s: string) => `${s.slice(0, 130)}0${Number.parseInt(s.slice(130), 16) - 27}`, (s: string) => `0x${s.slice(2).toUpperCase()}`];
        for (const form of forms) {
          const one = await signed(key);
          const res = await api.verify({ message: one.message, signature: form(one.signature) });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal((res.body as Body)['address'], key.address);
        }
      });

      it('every one of 8 fresh keys is recovered to its own address', async () => {
        for (let i = 0; i < 8; i++) {
          const one = await signed();
          const res = await api.verify({ message: one.message, signature: one.signature });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal((res.body as Body)['address'], one.key.address);
        }
      });

      it('a v other than 0, 1, 27, 28 is 401 SIWE_SIGNATURE_INVALID, and the nonce is used up', async () => {
        for (const v of ['1d', '02', 'ff']) {
          const one = await signed();
          assertInvalidSignature(await api.verify({ message: one.message, signature: `${one.signature.slice(0, 130)}${v}` }));
          // the message was checked and its nonce consumed: the right signature cannot use it any more
          const again = await api.verify({ message: one.message, signature: one.signature });
          assert.equal(again.status, 401);
          assert.equal((again.body as Body)['code'], 'SIWE_NONCE_INVALID');
        }
      });

      it('64 bytes (no v), a digit short, a digit long, 66 bytes: 401 SIWE_SIGNATURE_INVALID', async () => {
        // signatures with v = 28: one digit short, viem read v from the "1" left, bit 1, the right one, and signed in
        const cuts = [(s: string) => s.slice(0, 130), (s: string) => s.slice(0, 131), (s: string) => `${s}0`, (s: string) => `${s}00`];
        for (const cut of cuts) {
          let one = await signed();
          while (!one.signature.endsWith('1c')) one = await signed();
          assertInvalidSignature(await api.verify({ message: one.message, signature: cut(one.signature) }));
        }
      });

      it('r or s zero or not below the curve order, and another key’s signature: 401 SIWE_SIGNATURE_INVALID, never a 500', async () => {
        const one = await signed();
        const r = one.signature.slice(2, 66);
        const s = one.signature.slice(66, 130);
        const v = one.signature.slice(130);
        for (const bad of [`0x${hex64(0n)}${s}${v}`, `0x${r}${hex64(0n)}${v}`, `0x${hex64(N)}${s}${v}`, `0x${r}${hex64(N)}${v}`, `0x${'f'.repeat(128)}${v}`]) {
          const fresh = await signed(one.key);
          assertInvalidSignature(await api.verify({ message: fresh.message, signature: bad }));
        }
        const victim = newKey();
        const text = message({ address: victim.address as `0x${string}`, nonce: await api.nonce(), chainId: CHAIN });
        assertInvalidSignature(await api.verify({ message: text, signature: await newKey().signMessage(text) }));
      });
    });
  });
}
