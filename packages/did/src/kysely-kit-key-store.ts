import { insertOrFind, type DatabaseHandle } from '@w3kit/core';
import type { KeyType, KitKeyRecord, KitKeyRole, KitKeyStore } from './kit-key-store.js';
import type { DidTables } from './schema.js';

type Row = DidTables['did_kit_keys'];

const toRecord = (r: Row): KitKeyRecord => ({
  did: r.did,
  role: r.role as KitKeyRole,
  keyType: r.key_type as KeyType,
  alias: r.alias,
  publicKey: r.public_key,
  encryptedPrivateKey: r.private_key,
  createdAt: new Date(Number(r.created_at)),
});

export function createKyselyKitKeyStore(database: DatabaseHandle): KitKeyStore {
  const db = database.db.withTables<DidTables>();
  return {
    async list() {
      const rows = await db.selectFrom('did_kit_keys').selectAll().orderBy('created_at').orderBy('did').execute();
      return rows.map(toRecord);
    },
    async insertIfAbsent(key) {
      const stored = await insertOrFind(
        () =>
          db
            .insertInto('did_kit_keys')
            .values({
              did: key.did,
              role: key.role,
              key_type: key.keyType,
              alias: key.alias,
              public_key: key.publicKey,
              private_key: key.encryptedPrivateKey,
              created_at: key.createdAt.getTime(),
            })
            .execute(),
        () => db.selectFrom('did_kit_keys').selectAll().where('role', '=', key.role).where('key_type', '=', key.keyType).executeTakeFirst(),
      );
      if (stored.inserted) return key;
      // keys are never deleted, so the row that took the slot is there
      if (!stored.existing) throw new Error('did_kit_keys: the key that took this slot is gone');
      return toRecord(stored.existing);
    },
  };
}
