import { insertOrFind, type DatabaseHandle } from '@w3kit/core';
import type { IdentifierRecord, IdentifierStore, KeySource } from './identifier-store.js';
import type { DidTables } from './schema.js';

type Row = DidTables['did_identifiers'];

const toRecord = (r: Row): IdentifierRecord => ({
  did: r.did,
  alias: r.alias,
  address: r.address,
  keySource: r.key_source as KeySource,
  ownerAccountId: r.owner_account_id,
  createdAt: new Date(Number(r.created_at)),
});

export function createKyselyIdentifierStore(database: DatabaseHandle): IdentifierStore {
  const db = database.db.withTables<DidTables>();
  const find = async (did: string) => {
    const row = await db.selectFrom('did_identifiers').selectAll().where('did', '=', did).executeTakeFirst();
    return row ? toRecord(row) : null;
  };
  return {
    find,
    async insertIfAbsent(identifier) {
      const stored = await insertOrFind(
        () =>
          db
            .insertInto('did_identifiers')
            .values({
              did: identifier.did,
              alias: identifier.alias,
              address: identifier.address.toLowerCase(),
              key_source: identifier.keySource,
              owner_account_id: identifier.ownerAccountId,
              created_at: identifier.createdAt.getTime(),
            })
            .execute(),
        () => find(identifier.did),
      );
      if (stored.inserted) return { ...identifier, address: identifier.address.toLowerCase() };
      // identifiers are never deleted, so the row holding the DID is there
      return stored.existing!;
    },
  };
}
