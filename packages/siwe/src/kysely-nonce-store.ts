import type { DatabaseHandle } from '@w3kit/core';
import type { NonceStore } from './nonce-store.js';
import type { SiweTables } from './schema.js';

export function createKyselyNonceStore(database: DatabaseHandle): NonceStore {
  const db = database.db.withTables<SiweTables>();
  return {
    async insert(nonceHash, createdAt, expiresAt) {
      await db.insertInto('siwe_nonces').values({ nonce_hash: nonceHash, created_at: createdAt.getTime(), expires_at: expiresAt.getTime() }).execute();
    },
    async consume(nonceHash, at) {
      const result = await db.deleteFrom('siwe_nonces').where('nonce_hash', '=', nonceHash).where('expires_at', '>', at.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('siwe_nonces').where('expires_at', '<=', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
