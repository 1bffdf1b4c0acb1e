import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NftStore } from '@w3kit/nft';
import { nftStoreConformance } from '@w3kit/nft/testing';
import { createHostNftStore, openHostDatabase, type HostDatabase } from '../src/index.js';

describe('custom-storage: the host’s NftStore passes the NftStore conformance suite', () => {
  let dir: string;
  let db: HostDatabase;
  let store: NftStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-host-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  // a fresh host database file per case: each case wants an empty store
  beforeEach(() => {
    db = openHostDatabase(join(dir, `case-${n++}.db`));
    store = createHostNftStore(db);
  });
  afterEach(() => db.close());
  for (const c of nftStoreConformance()) it(c.name, () => c.run(store));
});
