import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { DAPP, message, newKey, siweApi, siweKit } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('siwe: production mode', () => {
      it('refuses to start with an http allowed origin, starts with https ones', async () => {
        const db = await createTestDatabase(kind);
        const quiet = { development: false, send: async () => {} };
        const production = (origin: string) =>
          siweKit(
            db.url,
            { allowedOrigins: [origin], chains: [{ chainId: 1 }] },
            { services: { smsSender: quiet, emailSender: quiet }, config: { mode: 'production', publicUrl: 'https://kit.example', passwordHashCost: 15 } },
          );
        try {
          await assert.rejects(production('http://dapp.example'), /siwe: in production every allowed origin must be https \(not http:\/\/dapp\.example\)/);
          await (await production('https://dapp.example')).close();
        } finally {
          await db.drop();
        }
      });
    });

    describe('siwe: nonces expire after nonceTtlSeconds and housekeeping deletes them', function () {
      this.timeout(30_000);
      let db: TestDatabase;
      let kit: Kit;
      let clock: ManualClock;
      let api: ReturnType<typeof siweApi>;
      const countNonces = async () =>
        Number(
          (
            await kit.services.database.db
              .withTables<{ siwe_nonces: { nonce_hash: string } }>()
              .selectFrom('siwe_nonces')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        kit = await siweKit(db.url, { allowedOrigins: [DAPP], chains: [{ chainId: 1 }], signUp: true, nonceTtlSeconds: 120 }, { services: { clock } });
        api = siweApi(kit);
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
      });

      it('a nonce past its TTL answers 401 SIWE_NONCE_INVALID, and the sweep removes it', async () => {
        const key = newKey();
        const nonce = await api.nonce();
        const before = await countNonces();
        clock.advance(121_000);
        const text = message({ address: key.address as `0x${string}`, nonce, chainId: 1, issuedAt: clock.now() });
        const res = await api.verify({ message: text, signature: await key.signMessage(text) });
        assert.equal(res.status, 401, JSON.stringify(res.body));
        assert.equal((res.body as { code: string }).code, 'SIWE_NONCE_INVALID');
        await kit.runHousekeeping();
        assert.equal(await countNonces(), before - 1);
        // a nonce inside its TTL still signs in
        const fresh = await api.nonce();
        clock.advance(119_000);
        const ok = message({ address: key.address as `0x${string}`, nonce: fresh, chainId: 1, issuedAt: clock.now() });
        assert.equal((await api.verify({ message: ok, signature: await key.signMessage(ok) })).status, 200);
      });
    });
  });
}
