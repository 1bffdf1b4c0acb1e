import { insertUnique, type DatabaseHandle } from '@w3kit/core';
import type { CredentialStore, IssuedCredentialRecord } from './credential-store.js';
import type { CredentialFormat } from './did-config.js';
import type { DidTables } from './schema.js';

type Row = DidTables['did_credentials'];

const toDate = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

const toRecord = (r: Row): IssuedCredentialRecord => ({
  id: r.id,
  issuerDid: r.issuer_did,
  format: r.format as CredentialFormat,
  holder: r.holder,
  subjectAccountId: r.subject_account_id,
  requestedBy: r.requested_by,
  statusListId: r.status_list_id,
  statusIndex: Number(r.status_index),
  issuedAt: new Date(Number(r.issued_at)),
  expiresAt: toDate(r.expires_at),
  revokedAt: toDate(r.revoked_at),
});

export function createKyselyCredentialStore(database: DatabaseHandle): CredentialStore {
  const db = database.db.withTables<DidTables>();
  return {
    insert(c) {
      return insertUnique(() =>
        db
          .insertInto('did_credentials')
          .values({
            id: c.id,
            issuer_did: c.issuerDid,
            format: c.format,
            holder: c.holder,
            subject_account_id: c.subjectAccountId,
            requested_by: c.requestedBy,
            status_list_id: c.statusListId,
            status_index: c.statusIndex,
            issued_at: c.issuedAt.getTime(),
            expires_at: c.expiresAt?.getTime() ?? null,
            revoked_at: c.revokedAt?.getTime() ?? null,
          })
          .execute(),
      );
    },
    async find(id) {
      const row = await db.selectFrom('did_credentials').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async findByStatusEntry(statusListId, statusIndex) {
      const row = await db.selectFrom('did_credentials').selectAll().where('status_list_id', '=', statusListId).where('status_index', '=', statusIndex).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async revoke(id, at) {
      const result = await db.updateTable('did_credentials').set({ revoked_at: at.getTime() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async revokedEntries(statusListId) {
      const rows = await db.selectFrom('did_credentials').select('status_index').where('status_list_id', '=', statusListId).where('revoked_at', 'is not', null).execute();
      return rows.map((r) => Number(r.status_index));
    },
  };
}
