import { compileOnce, type DatabaseHandle } from '@w3kit/core';
import type { NonceStore } from './nonce-store.js';
import type { SiweTables } from './schema.js';

export function createKyselyNonceStore(database: DatabaseHandle): NonceStore {
  const db = database.db.withTables<SiweTables>();
  // The one-time use of a nonce runs on every sign-in: compiled once (building it with Kysely
  // costs about what the DELETE itself does on SQLite).
  const consume = compileOnce<'nonceHash' | 'at', never>((slot) => db.deleteFrom('siwe_nonces').where('nonce_hash', '=', slot<string>('nonceHash')).where('expires_at', '>', slot<number>('at')));
  return {
    async insert(nonceHash, createdAt, expiresAt) {
      await db.insertInto('siwe_nonces').values({ nonce_hash: nonceHash, created_at: createdAt.getTime(), expires_at: expiresAt.getTime() }).execute();
    },
    async consume(nonceHash, at) {
      const result = await db.executeQuery(consume({ nonceHash, at: at.getTime() }));
      return Number(result.numAffectedRows) === 1;
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('siwe_nonces').where('expires_at', '<=', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
