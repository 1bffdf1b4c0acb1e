import { isUniqueViolation, type DatabaseHandle } from '@w3kit/core';
import type { DidTables } from './schema.js';
import type { UsedPresentationStore } from './used-presentation-store.js';

export function createKyselyUsedPresentationStore(database: DatabaseHandle): UsedPresentationStore {
  const db = database.db.withTables<DidTables>();
  return {
    async markUsed(hash, expiresAt) {
      try {
        await db.insertInto('did_used_presentations').values({ hash, expires_at: expiresAt.getTime() }).execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('did_used_presentations').where('expires_at', '<=', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
