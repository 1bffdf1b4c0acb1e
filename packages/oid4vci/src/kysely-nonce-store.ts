import type { DatabaseHandle } from '@w3kit/core';
import type { NonceStore } from './nonce-store.js';
import type { Oid4vciTables } from './schema.js';

export function createKyselyNonceStore(database: DatabaseHandle): NonceStore {
  const db = database.db.withTables<Oid4vciTables>();
  return {
    async insert(nonceHash, expiresAt) {
      await db.insertInto('oid4vci_nonces').values({ nonce_hash: nonceHash, expires_at: expiresAt.getTime() }).execute();
    },
    async consume(nonceHash, at) {
      const result = await db.deleteFrom('oid4vci_nonces').where('nonce_hash', '=', nonceHash).where('expires_at', '>', at.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('oid4vci_nonces').where('expires_at', '<=', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
