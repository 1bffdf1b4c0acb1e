import { compileOnce, isUniqueViolation, type DatabaseHandle } from '@w3kit/core';
import type { Flow, RequestRecord, RequestState, RequestStore, ResponseMode } from './request-store.js';
import type { Oid4vpTables } from './schema.js';

type Row = Oid4vpTables['oid4vp_requests'];

// mysql2 and pg answer BIGINT as a string
const toDate = (ms: number | string | null) => (ms === null ? null : new Date(Number(ms)));

const toRecord = (r: Row): RequestRecord => ({
  id: r.id,
  responseId: r.response_id,
  nonce: r.nonce,
  responseMode: r.response_mode as ResponseMode,
  flow: r.flow as Flow,
  redirectUri: r.redirect_uri,
  requestObject: r.request_object,
  encryptionKey: r.encryption_key,
  resultTokenHash: r.result_token_hash,
  responseCodeHash: r.response_code_hash,
  state: r.state as RequestState,
  accountId: r.account_id,
  failure: r.failure,
  createdAt: new Date(Number(r.created_at)),
  expiresAt: new Date(Number(r.expires_at)),
  completedAt: toDate(r.completed_at),
  resultExpiresAt: toDate(r.result_expires_at),
});

export function createKyselyRequestStore(database: DatabaseHandle): RequestStore {
  const db = database.db.withTables<Oid4vpTables>();
  const changed = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) === 1;
  const updated = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0) === 1;
  // the statements of a wallet's answer, built and compiled by Kysely once (compileOnce)
  const byResponseId = compileOnce<'responseId', Row>((slot) => db.selectFrom('oid4vp_requests').selectAll().where('response_id', '=', slot<string>('responseId')));
  const completeFetched = compileOnce<'id' | 'accountId' | 'presentationKey' | 'responseCodeHash' | 'at' | 'resultExpiresAt', never>((slot) =>
    db
      .updateTable('oid4vp_requests')
      .set({
        state: 'completed',
        account_id: slot('accountId'),
        presentation_key: slot('presentationKey'),
        response_code_hash: slot('responseCodeHash'),
        completed_at: slot('at'),
        result_expires_at: slot('resultExpiresAt'),
      })
      .where('id', '=', slot<string>('id'))
      .where('state', '=', 'fetched')
      .where('expires_at', '>', slot<number>('at')),
  );
  const failFetched = compileOnce<'id' | 'failure' | 'at' | 'resultExpiresAt', never>((slot) =>
    db
      .updateTable('oid4vp_requests')
      .set({ state: 'failed', failure: slot('failure'), completed_at: slot('at'), result_expires_at: slot('resultExpiresAt') })
      .where('id', '=', slot<string>('id'))
      .where('state', '=', 'fetched'),
  );
  return {
    async insert(request) {
      await db
        .insertInto('oid4vp_requests')
        .values({
          id: request.id,
          response_id: request.responseId,
          nonce: request.nonce,
          response_mode: request.responseMode,
          flow: request.flow,
          redirect_uri: request.redirectUri,
          request_object: request.requestObject,
          encryption_key: request.encryptionKey,
          result_token_hash: request.resultTokenHash,
          response_code_hash: request.responseCodeHash,
          state: request.state,
          account_id: request.accountId,
          failure: request.failure,
          created_at: request.createdAt.getTime(),
          expires_at: request.expiresAt.getTime(),
          completed_at: request.completedAt?.getTime() ?? null,
          result_expires_at: request.resultExpiresAt?.getTime() ?? null,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('oid4vp_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async findByResponseId(responseId) {
      const [row] = (await db.executeQuery(byResponseId({ responseId }))).rows;
      return row ? toRecord(row) : null;
    },
    async fetch(id, at) {
      const result = await db.updateTable('oid4vp_requests').set({ state: 'fetched' }).where('id', '=', id).where('state', '=', 'created').where('expires_at', '>', at.getTime()).executeTakeFirst();
      if (!changed(result)) return null;
      const row = await db.selectFrom('oid4vp_requests').select('request_object').where('id', '=', id).executeTakeFirst();
      return row?.request_object ?? null;
    },
    async complete({ id, accountId, presentationKey, at, resultExpiresAt, responseCodeHash }) {
      try {
        const result = await db.executeQuery(completeFetched({ id, accountId, presentationKey, responseCodeHash, at: at.getTime(), resultExpiresAt: resultExpiresAt.getTime() }));
        return updated(result) ? 'completed' : 'not-fetched';
      } catch (error) {
        // the unique index on presentation_key: another request completed with this presentation
        if (isUniqueViolation(error)) return 'replayed';
        throw error;
      }
    },
    async fail(id, failure, at, resultExpiresAt) {
      return updated(await db.executeQuery(failFetched({ id, failure, at: at.getTime(), resultExpiresAt: resultExpiresAt.getTime() })));
    },
    async collect(id, at) {
      const result = await db
        .updateTable('oid4vp_requests')
        .set({ state: 'collected' })
        .where('id', '=', id)
        .where('state', '=', 'completed')
        .where('result_expires_at', '>', at.getTime())
        .executeTakeFirst();
      return changed(result);
    },
    async purgeExpired(before) {
      const ms = before.getTime();
      const result = await db
        .deleteFrom('oid4vp_requests')
        .where('expires_at', '<=', ms)
        .where((eb) => eb.or([eb('result_expires_at', 'is', null), eb('result_expires_at', '<=', ms)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
