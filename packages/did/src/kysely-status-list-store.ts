import type { DatabaseHandle } from '@w3kit/core';
import type { DidTables } from './schema.js';
import type { StatusListRecord, StatusListStore } from './status-list-store.js';

type Row = DidTables['did_status_lists'];

const toRecord = (r: Row): StatusListRecord => ({
  id: r.id,
  issuerDid: r.issuer_did,
  purpose: r.purpose,
  length: Number(r.length),
  allocated: Number(r.allocated),
  createdAt: new Date(Number(r.created_at)),
});

export function createKyselyStatusListStore(database: DatabaseHandle): StatusListStore {
  const db = database.db.withTables<DidTables>();
  return {
    async insert(list) {
      await db
        .insertInto('did_status_lists')
        .values({ id: list.id, issuer_did: list.issuerDid, purpose: list.purpose, length: list.length, allocated: list.allocated, created_at: list.createdAt.getTime() })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('did_status_lists').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async findOpen(issuerDid, purpose, capacity) {
      const row = await db
        .selectFrom('did_status_lists')
        .selectAll()
        .where('issuer_did', '=', issuerDid)
        .where('purpose', '=', purpose)
        .where('allocated', '<', capacity)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async reserveEntry(listId, capacity) {
      const result = await db
        .updateTable('did_status_lists')
        .set((eb) => ({ allocated: eb('allocated', '+', 1) }))
        .where('id', '=', listId)
        .where('allocated', '<', capacity)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
