import { compileOnce, insertOrFind, type DatabaseHandle } from '@w3kit/core';
import type { AddressStore, LinkedAddress } from './address-store.js';
import type { SiweTables } from './schema.js';

type Row = SiweTables['siwe_addresses'];

// mysql2 returns BIGINT columns as strings: Number() them back
const fromRow = (row: Row): LinkedAddress => ({ chainId: Number(row.chain_id), address: row.address, accountId: row.account_id, linkedAt: new Date(Number(row.created_at)) });

export function createKyselyAddressStore(database: DatabaseHandle): AddressStore {
  const db = database.db.withTables<SiweTables>();
  // the lookup of every sign-in: compiled once, not built and compiled per call
  const findRow = compileOnce<'chainId' | 'address', Row>((slot) =>
    db.selectFrom('siwe_addresses').select(['chain_id', 'address', 'account_id', 'created_at']).where('chain_id', '=', slot<number>('chainId')).where('address', '=', slot<string>('address')),
  );
  const find = async (chainId: number, address: string) => {
    const row = (await db.executeQuery(findRow({ chainId, address }))).rows[0];
    return row ? fromRow(row) : null;
  };
  return {
    find,
    async link(chainId, address, accountId, at) {
      const linked = await insertOrFind(
        () => db.insertInto('siwe_addresses').values({ chain_id: chainId, address, account_id: accountId, created_at: at.getTime() }).execute(),
        () => find(chainId, address),
      );
      if (linked.inserted) return { outcome: 'linked' };
      const holder = linked.existing;
      // the row was there a moment ago; deleted since is not something this plugin does
      if (!holder || holder.accountId !== accountId) return { outcome: 'taken', accountId: holder?.accountId ?? '' };
      return { outcome: 'already-linked' };
    },
    async listByAccount(accountId) {
      const rows = await db.selectFrom('siwe_addresses').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('chain_id').execute();
      return rows.map(fromRow);
    },
  };
}
