import type { DatabaseHandle } from '@w3kit/core';
import type { SigningKeyStore } from './signing-key-store.js';
import type { AuthTables } from './schema.js';

const toDate = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

export function createKyselySigningKeyStore(database: DatabaseHandle): SigningKeyStore {
  const db = database.db.withTables<AuthTables>();
  return {
    async insert(key) {
      await db
        .insertInto('auth_signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: key.publicJwk,
          private_jwk: key.encryptedPrivateJwk,
          created_at: key.createdAt.getTime(),
          rotated_at: key.rotatedAt?.getTime() ?? null,
          retired_at: key.retiredAt?.getTime() ?? null,
        })
        .execute();
    },
    async listUnretired() {
      const rows = await db.selectFrom('auth_signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid').execute();
      return rows.map((r) => ({
        kid: r.kid,
        alg: r.alg,
        publicJwk: r.public_jwk,
        encryptedPrivateJwk: r.private_jwk,
        createdAt: new Date(Number(r.created_at)),
        rotatedAt: toDate(r.rotated_at),
        retiredAt: toDate(r.retired_at),
      }));
    },
    async markRotated(exceptKid, at) {
      await db.updateTable('auth_signing_keys').set({ rotated_at: at.getTime() }).where('kid', '!=', exceptKid).where('rotated_at', 'is', null).execute();
    },
    async retire(kid, at) {
      const result = await db
        .updateTable('auth_signing_keys')
        .set({ retired_at: at.getTime() })
        .where('kid', '=', kid)
        .where('retired_at', 'is', null)
        .where('rotated_at', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
