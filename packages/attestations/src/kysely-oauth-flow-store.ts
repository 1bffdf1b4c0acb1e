import type { DatabaseHandle } from '@w3kit/core';
import type { OAuthFlow, OAuthFlowStore, OAuthProvider } from './oauth-flow-store.js';
import type { AttestationTables } from './schema.js';

type Row = AttestationTables['w3kit_attestation_oauth_flows'];

// mysql2 returns BIGINT columns as strings, so every timestamp goes through Number().
const toFlow = (row: Row): OAuthFlow => ({
  id: row.id,
  provider: row.provider as OAuthProvider,
  keyHash: row.key_hash,
  sealedSecret: row.sealed_secret,
  grantHash: row.grant_hash,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  returnedAt: row.returned_at === null ? null : Number(row.returned_at),
  consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
});

export function createKyselyOAuthFlowStore(database: DatabaseHandle): OAuthFlowStore {
  const db = database.db.withTables<AttestationTables>();
  const table = 'w3kit_attestation_oauth_flows' as const;

  return {
    async insert(flow) {
      await db
        .insertInto(table)
        .values({
          id: flow.id,
          provider: flow.provider,
          key_hash: flow.keyHash,
          sealed_secret: flow.sealedSecret,
          grant_hash: null,
          created_at: flow.createdAt,
          expires_at: flow.expiresAt,
          returned_at: null,
          consumed_at: null,
        })
        .execute();
    },

    async recordReturn(provider, keyHash, grantHash, at) {
      const result = await db
        .updateTable(table)
        .set({ grant_hash: grantHash, returned_at: at })
        .where('provider', '=', provider)
        .where('key_hash', '=', keyHash)
        .where('returned_at', 'is', null)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async claim(provider, locator, at) {
      let query = db.selectFrom(table).selectAll().where('provider', '=', provider).where('consumed_at', 'is', null).where('expires_at', '>', at);
      if ('keyHash' in locator) {
        query = query.where('key_hash', '=', locator.keyHash).where((eb) => eb.or([eb('grant_hash', 'is', null), eb('grant_hash', '=', locator.grantHash)]));
      } else {
        query = query.where('grant_hash', '=', locator.grantHash);
      }
      const row = await query.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
      if (!row) return null;
      // of two concurrent claims exactly one updates the row
      const claimed = await db.updateTable(table).set({ consumed_at: at }).where('id', '=', row.id).where('consumed_at', 'is', null).executeTakeFirst();
      return Number(claimed.numUpdatedRows) === 1 ? toFlow({ ...row, consumed_at: at }) : null;
    },

    async purgeExpired(before) {
      const result = await db.deleteFrom(table).where('expires_at', '<=', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
