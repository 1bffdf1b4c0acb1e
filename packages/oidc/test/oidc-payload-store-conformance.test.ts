import { createDatabase, runMigrations } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { auth } from '@w3kit/auth';
import { createKyselyPayloadStore, createMemoryPayloadStore, oidc, type OidcPayloadStore } from '@w3kit/oidc';
import { payloadStoreConformanceCases } from '@w3kit/oidc/testing';

function runCases(open: () => Promise<{ store: OidcPayloadStore; close(): Promise<void> }>) {
  for (const testCase of payloadStoreConformanceCases) {
    it(testCase.name, async () => {
      const { store, close } = await open();
      try {
        await testCase.run(store);
      } finally {
        await close();
      }
    });
  }
}

describe('memory', () => {
  describe('oidc payload store conformance', () => {
    runCases(async () => ({ store: createMemoryPayloadStore(), close: async () => undefined }));
  });
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oidc payload store conformance (Kysely)', () => {
      let db: TestDatabase;
      before(async () => {
        db = await createTestDatabase(kind);
        await runMigrations(db.url, [auth(), oidc()]);
      });
      after(async () => db?.drop());
      runCases(async () => {
        const handle = createDatabase(db.url);
        return { store: createKyselyPayloadStore(handle), close: () => handle.destroy() };
      });
    });
  });
}
