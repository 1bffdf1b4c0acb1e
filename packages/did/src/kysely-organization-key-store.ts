import { insertOrFind, type DatabaseHandle } from '@w3kit/core';
import type { KeyType } from './kit-key-store.js';
import type { OrganizationKeyRecord, OrganizationKeyStore } from './organization-key-store.js';
import type { DidTables } from './schema.js';

type Row = DidTables['did_organization_keys'];

const toRecord = (r: Row): OrganizationKeyRecord => ({
  did: r.did,
  accountId: r.account_id,
  keyType: r.key_type as KeyType,
  publicKey: r.public_key,
  encryptedPrivateKey: r.private_key,
  createdAt: new Date(Number(r.created_at)),
});

export function createKyselyOrganizationKeyStore(database: DatabaseHandle): OrganizationKeyStore {
  const db = database.db.withTables<DidTables>();
  return {
    async listFor(accountId) {
      const rows = await db.selectFrom('did_organization_keys').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('did').execute();
      return rows.map(toRecord);
    },
    async find(did) {
      const row = await db.selectFrom('did_organization_keys').selectAll().where('did', '=', did).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async insertIfAbsent(key) {
      const stored = await insertOrFind(
        () =>
          db
            .insertInto('did_organization_keys')
            .values({
              did: key.did,
              account_id: key.accountId,
              key_type: key.keyType,
              public_key: key.publicKey,
              private_key: key.encryptedPrivateKey,
              created_at: key.createdAt.getTime(),
            })
            .execute(),
        () => db.selectFrom('did_organization_keys').selectAll().where('account_id', '=', key.accountId).where('key_type', '=', key.keyType).executeTakeFirst(),
      );
      if (stored.inserted) return key;
      // keys are never deleted, so the row that took the slot is there
      if (!stored.existing) throw new Error('did_organization_keys: the key that took this slot is gone');
      return toRecord(stored.existing);
    },
  };
}
