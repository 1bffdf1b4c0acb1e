import { insertUnique, type DatabaseHandle } from '@w3kit/core';
import type { DidTables } from './schema.js';
import type { UsedPresentationStore } from './used-presentation-store.js';

export function createKyselyUsedPresentationStore(database: DatabaseHandle): UsedPresentationStore {
  const db = database.db.withTables<DidTables>();
  return {
    async markUsed(keys, expiresAt) {
      if (keys.length === 0) throw new TypeError('markUsed needs at least one replay key');
      // one multi-row INSERT: a duplicate key fails the whole statement on SQLite and InnoDB alike
      return insertUnique(() =>
        db
          .insertInto('did_used_presentations')
          .values(keys.map((hash) => ({ hash, expires_at: expiresAt.getTime() })))
          .execute(),
      );
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('did_used_presentations').where('expires_at', '<=', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
