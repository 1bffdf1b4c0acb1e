import type { DatabaseHandle } from '@w3kit/core';
import type { OidcTables } from './schema.js';
import type { OidcSigningKeyRecord, OidcSigningKeyStore } from './signing-key-store.js';

export function createKyselyOidcSigningKeyStore(database: DatabaseHandle): OidcSigningKeyStore {
  const db = database.db.withTables<OidcTables>();
  return {
    async insert(key) {
      await db
        .insertInto('oidc_signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: JSON.stringify(key.publicJwk),
          private_jwk: key.sealedPrivateJwk,
          origin: key.origin,
          created_at: key.createdAt.getTime(),
          retired_at: key.retiredAt?.getTime() ?? null,
        })
        .execute();
    },
    async listActive() {
      const rows = await db.selectFrom('oidc_signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid').execute();
      return rows.map((row): OidcSigningKeyRecord => ({
        kid: row.kid,
        alg: row.alg,
        publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
        sealedPrivateJwk: row.private_jwk,
        origin: row.origin === 'development' ? 'development' : 'operator',
        // mysql2 returns BIGINT columns as strings
        createdAt: new Date(Number(row.created_at)),
        retiredAt: null,
      }));
    },
    async retire(kid, at) {
      const result = await db.updateTable('oidc_signing_keys').set({ retired_at: at.getTime() }).where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
