import type { DatabaseHandle } from '@w3kit/core';
import type { CustodialKeyStore } from './custodial-key-store.js';
import type { DidTables } from './schema.js';

export function createKyselyCustodialKeyStore(database: DatabaseHandle): CustodialKeyStore {
  const db = database.db.withTables<DidTables>();
  return {
    async insert(key) {
      await db
        .insertInto('did_custodial_keys')
        .values({
          address: key.address.toLowerCase(),
          public_key: key.publicKey,
          private_key: key.encryptedPrivateKey,
          secret_hash: key.secretHash,
          owner_account_id: key.ownerAccountId,
          created_at: key.createdAt.getTime(),
        })
        .execute();
    },
    async find(address) {
      const r = await db.selectFrom('did_custodial_keys').selectAll().where('address', '=', address.toLowerCase()).executeTakeFirst();
      if (!r) return null;
      return {
        address: r.address,
        publicKey: r.public_key,
        encryptedPrivateKey: r.private_key,
        secretHash: r.secret_hash,
        ownerAccountId: r.owner_account_id,
        createdAt: new Date(Number(r.created_at)),
      };
    },
  };
}
