import { isUniqueViolation, type DatabaseHandle } from '@w3kit/core';
import type { Oid4vpTables } from './schema.js';
import type { UsedPresentationStore } from './used-presentation-store.js';

export function createKyselyUsedPresentationStore(database: DatabaseHandle): UsedPresentationStore {
  const db = database.db.withTables<Oid4vpTables>();
  return {
    async markUsed(key, expiresAt) {
      try {
        await db.insertInto('oid4vp_used_presentations').values({ presentation_key: key, expires_at: expiresAt.getTime() }).execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('oid4vp_used_presentations').where('expires_at', '<=', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
