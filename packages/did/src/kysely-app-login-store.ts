import type { DatabaseHandle } from '@w3kit/core';
import type { AppLoginRecord, AppLoginState, AppLoginStore } from './app-login-store.js';
import type { DidTables } from './schema.js';

type Row = DidTables['did_app_logins'];

const toDate = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

const toRecord = (r: Row): AppLoginRecord => ({
  id: r.id,
  requestId: r.request_id,
  resultTokenHash: r.result_token_hash,
  state: r.state as AppLoginState,
  accountId: r.account_id,
  createdAt: new Date(Number(r.created_at)),
  expiresAt: new Date(Number(r.expires_at)),
  completedAt: toDate(r.completed_at),
  resultExpiresAt: toDate(r.result_expires_at),
  collectedAt: toDate(r.collected_at),
});

export function createKyselyAppLoginStore(database: DatabaseHandle): AppLoginStore {
  const db = database.db.withTables<DidTables>();
  const changed = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) === 1;
  return {
    async insert(login) {
      await db
        .insertInto('did_app_logins')
        .values({
          id: login.id,
          request_id: login.requestId,
          result_token_hash: login.resultTokenHash,
          state: login.state,
          account_id: login.accountId,
          created_at: login.createdAt.getTime(),
          expires_at: login.expiresAt.getTime(),
          completed_at: login.completedAt?.getTime() ?? null,
          result_expires_at: login.resultExpiresAt?.getTime() ?? null,
          collected_at: login.collectedAt?.getTime() ?? null,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('did_app_logins').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async complete(id, accountId, at, resultExpiresAt) {
      const result = await db
        .updateTable('did_app_logins')
        .set({ state: 'completed', account_id: accountId, completed_at: at.getTime(), result_expires_at: resultExpiresAt.getTime() })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('expires_at', '>', at.getTime())
        .executeTakeFirst();
      return changed(result);
    },
    async cancel(id, at) {
      const result = await db.updateTable('did_app_logins').set({ state: 'cancelled', completed_at: at.getTime() }).where('id', '=', id).where('state', '=', 'pending').executeTakeFirst();
      return changed(result);
    },
    async collect(id, at) {
      const result = await db
        .updateTable('did_app_logins')
        .set({ state: 'collected', collected_at: at.getTime() })
        .where('id', '=', id)
        .where('state', '=', 'completed')
        .where('result_expires_at', '>', at.getTime())
        .executeTakeFirst();
      return changed(result);
    },
    async purgeExpired(before) {
      const ms = before.getTime();
      const result = await db
        .deleteFrom('did_app_logins')
        .where('expires_at', '<=', ms)
        .where((eb) => eb.or([eb('result_expires_at', 'is', null), eb('result_expires_at', '<=', ms)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
