import { createDatabase, migrateToLatest, type DatabaseHandle } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { createKyselyNftStore, createMemoryNftStore, nftMigrations, type NftStore } from '@w3kit/nft';
import { nftStoreConformance } from '@w3kit/nft/testing';

describe('nft: NftStore conformance (memory)', () => {
  let store: NftStore;
  beforeEach(() => {
    store = createMemoryNftStore();
  });
  for (const c of nftStoreConformance()) it(c.name, () => c.run(store));
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft: NftStore conformance (kysely)', () => {
      let testDb: TestDatabase;
      let database: DatabaseHandle;
      let store: NftStore;
      before(async () => {
        testDb = await createTestDatabase(kind);
        database = createDatabase(testDb.url);
        await migrateToLatest(database, { name: 'nft', migrations: nftMigrations });
        store = createKyselyNftStore(database);
      });
      after(async () => {
        await database?.destroy();
        await testDb?.drop();
      });
      // every case wants an empty store: emptying the two tables is far cheaper than a new schema per case
      beforeEach(async () => {
        const db = database.db.withTables<{ nft_tokens: { token_id: string }; nft_idempotency_keys: { idempotency_key: string } }>();
        await db.deleteFrom('nft_tokens').execute();
        await db.deleteFrom('nft_idempotency_keys').execute();
      });
      for (const c of nftStoreConformance()) it(c.name, () => c.run(store));
    });
  });
}
