import { isUniqueViolation, type DatabaseHandle } from '@w3kit/core';
import type { Oid4vciTables } from './schema.js';
import type { IssuerKeyRecord, IssuerKeyStore } from './signing-key-store.js';

const toRecord = (row: Oid4vciTables['oid4vci_signing_keys']): IssuerKeyRecord => ({
  kid: row.kid,
  publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
  privateSealed: row.private_sealed,
  createdAt: new Date(Number(row.created_at)),
  retiredAt: row.retired_at === null ? null : new Date(Number(row.retired_at)),
});

export function createKyselyIssuerKeyStore(database: DatabaseHandle): IssuerKeyStore {
  const db = database.db.withTables<Oid4vciTables>();
  return {
    async insert(r) {
      try {
        await db
          .insertInto('oid4vci_signing_keys')
          .values({ kid: r.kid, public_jwk: JSON.stringify(r.publicJwk), private_sealed: r.privateSealed, created_at: r.createdAt.getTime(), retired_at: r.retiredAt?.getTime() ?? null })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async listActive() {
      const rows = await db.selectFrom('oid4vci_signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at').orderBy('kid').execute();
      return rows.map(toRecord);
    },
    async listAll() {
      const rows = await db.selectFrom('oid4vci_signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
      return rows.map(toRecord);
    },
    async retire(kid, at) {
      await db.updateTable('oid4vci_signing_keys').set({ retired_at: at.getTime() }).where('kid', '=', kid).where('retired_at', 'is', null).execute();
    },
    async get(kid) {
      const row = await db.selectFrom('oid4vci_signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
      return row && toRecord(row);
    },
  };
}
