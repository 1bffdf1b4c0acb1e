import { isMysql, type DatabaseHandle } from '@w3kit/core';
import type { OidcPayloadStore, StoredPayload } from './payload-store.js';
import type { OidcTables } from './schema.js';

const text = (value: unknown) => (typeof value === 'string' ? value : null);
// mysql2 returns BIGINT columns as strings
const dateOrNull = (value: number | string | null) => (value === null ? null : new Date(Number(value)));

export function createKyselyPayloadStore(database: DatabaseHandle): OidcPayloadStore {
  const db = database.db.withTables<OidcTables>();
  const mysql = isMysql(database.db);

  const selectLive = (model: string, now: Date) =>
    db
      .selectFrom('oidc_payloads')
      .select(['payload', 'consumed_at', 'expires_at'])
      .where('model', '=', model)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.getTime())]));

  const toStored = (row: { payload: string; consumed_at: number | null; expires_at: number | null }): StoredPayload => ({
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    consumedAt: dateOrNull(row.consumed_at),
    expiresAt: dateOrNull(row.expires_at),
  });

  return {
    async upsert(model, id, payload, expiresAt) {
      const values = {
        payload: JSON.stringify(payload),
        grant_id: text(payload['grantId']),
        uid: text(payload['uid']),
        account_id: text(payload['accountId']),
        user_code: text(payload['userCode']),
        expires_at: expiresAt?.getTime() ?? null,
      };
      const insert = db.insertInto('oidc_payloads').values({ model, id, ...values, consumed_at: null });
      // One statement either way, so two instances saving the same session cannot collide.
      await (mysql ? insert.onDuplicateKeyUpdate(values) : insert.onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))).execute();
    },
    async find(model, id, now) {
      const row = await selectLive(model, now).where('id', '=', id).executeTakeFirst();
      return row ? toStored(row) : null;
    },
    async findByUid(model, uid, now) {
      const row = await selectLive(model, now).where('uid', '=', uid).executeTakeFirst();
      return row ? toStored(row) : null;
    },
    async findByUserCode(model, userCode, now) {
      const row = await selectLive(model, now).where('user_code', '=', userCode).executeTakeFirst();
      return row ? toStored(row) : null;
    },
    async consume(model, id, at) {
      const result = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: at.getTime() })
        .where('model', '=', model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at.getTime())]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async destroy(model, id) {
      await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id).execute();
    },
    async revokeByGrantId(grantId) {
      const result = await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async revokeByAccountId(accountId) {
      const result = await db.deleteFrom('oidc_payloads').where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async list(model, now) {
      const rows = await selectLive(model, now).orderBy('id').execute();
      return rows.map(toStored);
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', now.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
