import { isUniqueViolation, type DatabaseHandle } from '@w3kit/core';
import type { Oid4vciTables } from './schema.js';
import type { StatusEntryStore } from './status-entry-store.js';

export function createKyselyStatusEntryStore(database: DatabaseHandle): StatusEntryStore {
  const db = database.db.withTables<Oid4vciTables>();
  return {
    async insert(c) {
      try {
        await db
          .insertInto('oid4vci_credentials')
          .values({ id: c.id, account_id: c.accountId, offer_id: c.offerId, created_by: c.createdBy, list_id: c.listId, idx: c.idx, status: 0, issued_at: c.issuedAt.getTime(), revoked_at: null })
          .execute();
        return { reserved: true };
      } catch (error) {
        if (isUniqueViolation(error)) return { reserved: false, reason: 'entry_taken' };
        throw error;
      }
    },
    async remove(id) {
      await db.deleteFrom('oid4vci_credentials').where('id', '=', id).execute();
    },
    async find(listId, idx) {
      const row = await db.selectFrom('oid4vci_credentials').selectAll().where('list_id', '=', listId).where('idx', '=', idx).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        accountId: row.account_id,
        offerId: row.offer_id,
        createdBy: row.created_by,
        listId: Number(row.list_id),
        idx: Number(row.idx),
        issuedAt: new Date(Number(row.issued_at)),
        revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)),
      };
    },
    async revoke(listId, idx, at) {
      const result = await db
        .updateTable('oid4vci_credentials')
        .set({ status: 1, revoked_at: at.getTime() })
        .where('list_id', '=', listId)
        .where('idx', '=', idx)
        .where('status', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async revokedIndexes(listId) {
      const rows = await db.selectFrom('oid4vci_credentials').select('idx').where('list_id', '=', listId).where('status', '=', 1).execute();
      return rows.map((r) => Number(r.idx));
    },
  };
}
