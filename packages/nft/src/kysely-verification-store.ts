import { retryTransient, type DatabaseHandle } from '@w3kit/core';
import type { NftTables } from './tables.js';
import type { VerificationStore } from './verification-store.js';

export function createKyselyVerificationStore(database: DatabaseHandle): VerificationStore {
  const db = database.db.withTables<NftTables>();
  return {
    async insertCode(code) {
      await db
        .insertInto('nft_qr_codes')
        .values({
          code_hash: code.codeHash,
          token_id: code.tokenId,
          holder_account_id: code.holderAccountId,
          holder_latitude: code.holderPosition.latitude,
          holder_longitude: code.holderPosition.longitude,
          created_at: code.createdAt.getTime(),
          expires_at: code.expiresAt.getTime(),
          verified_at: null,
          scanner_account_id: null,
        })
        .execute();
    },
    async findCode(codeHash) {
      const row = await db.selectFrom('nft_qr_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      if (!row) return null;
      return {
        codeHash: row.code_hash,
        tokenId: row.token_id,
        holderAccountId: row.holder_account_id,
        holderPosition: { latitude: Number(row.holder_latitude), longitude: Number(row.holder_longitude) },
        createdAt: new Date(Number(row.created_at)),
        expiresAt: new Date(Number(row.expires_at)),
        verifiedAt: row.verified_at === null ? null : new Date(Number(row.verified_at)),
        scannerAccountId: row.scanner_account_id,
      };
    },
    async claimCode(codeHash, v) {
      // Safe to repeat whole: a conflict (a Galera certification failure at commit) rolled it back.
      return retryTransient(() =>
        db.transaction().execute(async (trx) => {
          const claimed = await trx
            .updateTable('nft_qr_codes')
            .set({ verified_at: v.verifiedAt.getTime(), scanner_account_id: v.scannerAccountId })
            .where('code_hash', '=', codeHash)
            .where('verified_at', 'is', null)
            .where('expires_at', '>', v.verifiedAt.getTime())
            .executeTakeFirst();
          if (Number(claimed.numUpdatedRows) !== 1) return false;
          await trx
            .insertInto('nft_verifications')
            .values({
              id: v.id,
              token_id: v.tokenId,
              scanner_account_id: v.scannerAccountId,
              verified_at: v.verifiedAt.getTime(),
              scanner_latitude: v.scannerPosition.latitude,
              scanner_longitude: v.scannerPosition.longitude,
              holder_latitude: v.holderPosition.latitude,
              holder_longitude: v.holderPosition.longitude,
            })
            .execute();
          return true;
        }),
      );
    },
    async listVerifications(tokenId, limit) {
      const rows = await db.selectFrom('nft_verifications').selectAll().where('token_id', '=', tokenId).orderBy('verified_at', 'desc').orderBy('id').limit(limit).execute();
      return rows.map((r) => ({
        id: r.id,
        tokenId: r.token_id,
        scannerAccountId: r.scanner_account_id,
        verifiedAt: new Date(Number(r.verified_at)),
        scannerPosition: { latitude: Number(r.scanner_latitude), longitude: Number(r.scanner_longitude) },
        holderPosition: { latitude: Number(r.holder_latitude), longitude: Number(r.holder_longitude) },
      }));
    },
    async purgeCodes(before) {
      const result = await db.deleteFrom('nft_qr_codes').where('expires_at', '<', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
