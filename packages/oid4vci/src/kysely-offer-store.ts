import type { DatabaseHandle } from '@w3kit/core';
import type { OfferRecord, OfferStore } from './offer-store.js';
import type { Oid4vciTables } from './schema.js';

type Row = Oid4vciTables['oid4vci_offers'];
// the part of a select or an update query `unfetched` narrows (kysely's where over this table)
type WhereChain = { where(column: Extract<keyof Row, string>, op: string, value: unknown): WhereChain };

const toRecord = (row: Row): OfferRecord => ({
  id: row.id,
  accountId: row.account_id,
  createdBy: row.created_by,
  credentialConfigurationId: row.credential_configuration_id,
  grantType: row.grant_type as OfferRecord['grantType'],
  codeSealed: row.code_sealed,
  txCodeHash: row.tx_code_hash,
  txCodeAttempts: Number(row.tx_code_attempts),
  state: row.state as OfferRecord['state'],
  expiresAt: new Date(Number(row.expires_at)),
});

/** The one offer of a reference whose document is still to fetch: live, offered, never fetched. */
function unfetched<Q extends WhereChain>(query: Q, offerRefHash: string, at: Date): Q {
  return query.where('offer_ref_hash', '=', offerRefHash).where('fetched_at', 'is', null).where('state', '=', 'offered').where('expires_at', '>', at.getTime()) as Q;
}

export function createKyselyOfferStore(database: DatabaseHandle): OfferStore {
  const db = database.db.withTables<Oid4vciTables>();
  const updated = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) === 1;
  /** The live, still-offered offer of a code of its grant (a pre-authorized code, or an issuer_state). */
  async function liveOffered(codeHash: string, grantType: OfferRecord['grantType'], at: Date) {
    const row = await db
      .selectFrom('oid4vci_offers')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .where('grant_type', '=', grantType)
      .where('state', '=', 'offered')
      .where('expires_at', '>', at.getTime())
      .executeTakeFirst();
    return row && toRecord(row);
  }
  return {
    async insert(offer) {
      await db
        .insertInto('oid4vci_offers')
        .values({
          id: offer.id,
          account_id: offer.accountId,
          created_by: offer.createdBy,
          credential_configuration_id: offer.credentialConfigurationId,
          grant_type: offer.grantType,
          offer_ref_hash: offer.offerRefHash,
          code_hash: offer.codeHash,
          code_sealed: offer.codeSealed,
          tx_code_hash: offer.txCodeHash,
          tx_code_attempts: 0,
          state: 'offered',
          fetched_at: null,
          created_at: offer.createdAt.getTime(),
          expires_at: offer.expiresAt.getTime(),
        })
        .execute();
    },
    async get(offerId) {
      const row = await db.selectFrom('oid4vci_offers').selectAll().where('id', '=', offerId).executeTakeFirst();
      return row && toRecord(row);
    },
    async findUnfetched(offerRefHash, at) {
      const row = await unfetched(db.selectFrom('oid4vci_offers').selectAll(), offerRefHash, at).executeTakeFirst();
      return row && toRecord(row);
    },
    async fetchOnce(offerRefHash, at) {
      const result = await unfetched(db.updateTable('oid4vci_offers').set({ fetched_at: at.getTime() }), offerRefHash, at).executeTakeFirst();
      if (!updated(result)) return undefined;
      const row = await db.selectFrom('oid4vci_offers').selectAll().where('offer_ref_hash', '=', offerRefHash).executeTakeFirst();
      return row && toRecord(row);
    },
    findRedeemable: (codeHash, at) => liveOffered(codeHash, 'pre-authorized_code', at),
    findIssuerState: (codeHash, at) => liveOffered(codeHash, 'authorization_code', at),
    async authorize(codeHash, accountId, at) {
      const result = await db
        .updateTable('oid4vci_offers')
        .set({ state: 'authorized' })
        .where('code_hash', '=', codeHash)
        .where('grant_type', '=', 'authorization_code')
        .where('account_id', '=', accountId)
        .where('state', '=', 'offered')
        .where('expires_at', '>', at.getTime())
        .executeTakeFirst();
      return updated(result);
    },
    async countTxCodeAttempt(offerId, max, at) {
      const result = await db
        .updateTable('oid4vci_offers')
        .set((eb) => ({ tx_code_attempts: eb('tx_code_attempts', '+', 1) }))
        .where('id', '=', offerId)
        .where('state', '=', 'offered')
        .where('expires_at', '>', at.getTime())
        .where('tx_code_attempts', '<', max)
        .executeTakeFirst();
      if (updated(result)) return { counted: true };
      const row = await db.selectFrom('oid4vci_offers').select(['state', 'tx_code_attempts']).where('id', '=', offerId).executeTakeFirst();
      return { counted: false, reason: row && (row.state === 'exhausted' || Number(row.tx_code_attempts) >= max) ? 'exhausted' : 'not_redeemable' };
    },
    async exhaust(offerId) {
      await db.updateTable('oid4vci_offers').set({ state: 'exhausted' }).where('id', '=', offerId).where('state', '=', 'offered').execute();
    },
    async redeem(offerId, at) {
      const result = await db
        .updateTable('oid4vci_offers')
        .set({ state: 'token_issued' })
        .where('id', '=', offerId)
        .where('state', '=', 'offered')
        .where('expires_at', '>', at.getTime())
        .executeTakeFirst();
      return updated(result);
    },
    async claimCredential(offerId) {
      const result = await db.updateTable('oid4vci_offers').set({ state: 'credential_issued' }).where('id', '=', offerId).where('state', '=', 'token_issued').executeTakeFirst();
      return updated(result);
    },
    async releaseCredential(offerId) {
      await db.updateTable('oid4vci_offers').set({ state: 'token_issued' }).where('id', '=', offerId).where('state', '=', 'credential_issued').execute();
    },
    async purgeExpired(before) {
      // an offer stays until its access token can no longer be used either (the TTL covers both)
      const result = await db.deleteFrom('oid4vci_offers').where('expires_at', '<=', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
