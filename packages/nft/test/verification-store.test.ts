// The QR claim and its verification record are one write: a code is never used up without the
// record of who scanned it (the mixed-load benchmark counts one against the other).
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createDatabase, migrateToLatest, type DatabaseHandle } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { createKyselyVerificationStore, nftMigrations, type VerificationRecord, type VerificationStore } from '@w3kit/nft';

const T0 = Date.UTC(2026, 5, 1);
const here = { latitude: 35.68, longitude: 139.76 };

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft: VerificationStore.claimCode', () => {
      let db: TestDatabase;
      let handle: DatabaseHandle;
      let store: VerificationStore;

      before(async () => {
        db = await createTestDatabase(kind);
        handle = createDatabase(db.url);
        await migrateToLatest(handle, { name: 'nft', migrations: nftMigrations });
        store = createKyselyVerificationStore(handle);
      });
      after(async () => {
        await handle.destroy();
        await db.drop();
      });

      async function liveCode(): Promise<{ codeHash: string; tokenId: string }> {
        const codeHash = createHash('sha256').update(randomBytes(16)).digest('hex');
        const tokenId = `0x${randomBytes(32).toString('hex')}`;
        await store.insertCode({
          codeHash,
          tokenId,
          holderAccountId: randomUUID(),
          holderPosition: here,
          createdAt: new Date(T0),
          expiresAt: new Date(T0 + 300_000),
          verifiedAt: null,
          scannerAccountId: null,
        });
        return { codeHash, tokenId };
      }
      const verification = (tokenId: string, id = randomUUID()): VerificationRecord => ({
        id,
        tokenId,
        scannerAccountId: randomUUID(),
        verifiedAt: new Date(T0 + 1000),
        scannerPosition: here,
        holderPosition: here,
      });

      it('claims a live code once and stores its record with it', async () => {
        const { codeHash, tokenId } = await liveCode();
        const first = verification(tokenId);
        const results = await Promise.all([first, verification(tokenId), verification(tokenId)].map((v) => store.claimCode(codeHash, v)));
        assert.deepEqual(results.filter(Boolean).length, 1);
        const records = await store.listVerifications(tokenId, 10);
        assert.equal(records.length, 1, 'only the winner’s record');
        const code = await store.findCode(codeHash);
        assert.equal(code?.scannerAccountId, records[0]!.scannerAccountId);
        assert.deepEqual(code?.verifiedAt, new Date(T0 + 1000));
      });

      it('a record that cannot be stored leaves the code unused (both or neither)', async () => {
        const taken = await liveCode();
        const id = randomUUID();
        assert.equal(await store.claimCode(taken.codeHash, verification(taken.tokenId, id)), true);

        const { codeHash, tokenId } = await liveCode();
        // The same record id again: the insert fails after the claim's UPDATE succeeded.
        await assert.rejects(store.claimCode(codeHash, verification(tokenId, id)));
        const code = await store.findCode(codeHash);
        assert.equal(code?.verifiedAt, null, 'the claim was rolled back');
        assert.equal(code?.scannerAccountId, null);
        assert.deepEqual(await store.listVerifications(tokenId, 10), []);
        assert.equal(await store.claimCode(codeHash, verification(tokenId)), true, 'the scanner can try again');
      });

      it('an expired or unknown code is not claimed and writes no record', async () => {
        const { codeHash, tokenId } = await liveCode();
        assert.equal(await store.claimCode(codeHash, { ...verification(tokenId), verifiedAt: new Date(T0 + 300_000) }), false);
        assert.equal(await store.claimCode('0'.repeat(64), verification(tokenId)), false);
        assert.deepEqual(await store.listVerifications(tokenId, 10), []);
      });
    });
  });
}
