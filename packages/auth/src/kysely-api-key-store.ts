import type { DatabaseHandle } from '@w3kit/core';
import type { ApiKeyStore } from './api-key-store.js';
import type { AuthTables } from './schema.js';

export function createKyselyApiKeyStore(database: DatabaseHandle): ApiKeyStore {
  const db = database.db.withTables<AuthTables>();
  return {
    async insert(key) {
      await db.insertInto('auth_api_keys').values({ id: key.id, account_id: key.accountId, secret_hash: key.secretHash, created_at: key.createdAt.getTime(), revoked_at: null }).execute();
    },
    async findActive(secretHash) {
      const row = await db.selectFrom('auth_api_keys').select(['id', 'account_id']).where('secret_hash', '=', secretHash).where('revoked_at', 'is', null).executeTakeFirst();
      return row ? { id: row.id, accountId: row.account_id } : null;
    },
    async revokeAll(accountId, at) {
      const result = await db.updateTable('auth_api_keys').set({ revoked_at: at.getTime() }).where('account_id', '=', accountId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
