import assert from 'node:assert/strict';
import { attestationMigrations, createKyselyOAuthFlowStore, createMemoryOAuthFlowStore, type OAuthFlowStore } from '@w3kit/attestations';
import { createDatabase, migrateToLatest } from '@w3kit/core';
import { createTestDatabase, testDatabases } from '@w3kit/core/testing';

const T0 = Date.UTC(2026, 0, 1);
const flow = (id: string, keyHash: string, provider: 'facebook' | 'twitter' = 'twitter') => ({
  id,
  provider,
  keyHash,
  sealedSecret: provider === 'twitter' ? 'sealed' : null,
  createdAt: T0,
  expiresAt: T0 + 600_000,
});

/** The conformance suite of OAuthFlowStore: every implementation must pass it. */
function flowStoreConformance(open: () => Promise<{ store: OAuthFlowStore; close(): Promise<void> }>): void {
  let store: OAuthFlowStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(() => close());

  it('a flow returns once, and only while it lives', async () => {
    await store.insert(flow('f1', 'key1'));
    assert.equal(await store.recordReturn('facebook', 'key1', 'grant', T0), false, 'another provider');
    assert.equal(await store.recordReturn('twitter', 'key1', 'grant', T0 + 1), true);
    assert.equal(await store.recordReturn('twitter', 'key1', 'other', T0 + 2), false, 'returned already');
    await store.insert(flow('f2', 'key2'));
    assert.equal(await store.recordReturn('twitter', 'key2', 'grant2', T0 + 600_000), false, 'expired');
  });

  it('a flow is claimed once: by grant, or by key with a matching (or no) grant', async () => {
    await store.insert(flow('f1', 'key1'));
    await store.recordReturn('twitter', 'key1', 'grant1', T0);
    assert.equal(await store.claim('twitter', { keyHash: 'key1', grantHash: 'other' }, T0), null, 'the recorded grant must match');
    const claimed = await store.claim('twitter', { grantHash: 'grant1' }, T0 + 5);
    assert.deepEqual(claimed, { ...flow('f1', 'key1'), grantHash: 'grant1', returnedAt: T0, consumedAt: T0 + 5 });
    assert.equal(await store.claim('twitter', { grantHash: 'grant1' }, T0 + 6), null, 'claimed once');

    await store.insert(flow('f2', 'key2'));
    assert.equal((await store.claim('twitter', { keyHash: 'key2', grantHash: 'any' }, T0))?.id, 'f2', 'not returned: the key suffices');
    await store.insert(flow('f3', 'key3'));
    assert.equal(await store.claim('twitter', { keyHash: 'key3', grantHash: 'any' }, T0 + 600_000), null, 'expired');
  });

  it('of many concurrent claims exactly one wins', async () => {
    await store.insert(flow('f1', 'key1', 'facebook'));
    await store.recordReturn('facebook', 'key1', 'grant1', T0);
    const claims = await Promise.all(Array.from({ length: 12 }, () => store.claim('facebook', { grantHash: 'grant1' }, T0 + 1)));
    assert.equal(claims.filter((c) => c !== null).length, 1);
  });

  it('purges expired flows only', async () => {
    await store.insert(flow('f1', 'key1'));
    await store.insert({ ...flow('f2', 'key2'), expiresAt: T0 + 1_200_000 });
    assert.equal(await store.purgeExpired(T0 + 600_000), 1);
    assert.equal((await store.claim('twitter', { keyHash: 'key2', grantHash: 'g' }, T0 + 600_001))?.id, 'f2');
  });
}

describe('attestations: OAuthFlowStore (memory)', () => {
  flowStoreConformance(async () => ({ store: createMemoryOAuthFlowStore(), close: async () => {} }));
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations: OAuthFlowStore (kysely)', () => {
      flowStoreConformance(async () => {
        const testDb = await createTestDatabase(kind);
        const database = createDatabase(testDb.url);
        await migrateToLatest(database, { name: 'attestations', migrations: attestationMigrations });
        return {
          store: createKyselyOAuthFlowStore(database),
          async close() {
            await database.destroy();
            await testDb.drop();
          },
        };
      });
    });
  });
}
