import { randomUUID } from 'node:crypto';
import { isMysql, isTransientDbError, retryTransient, type DatabaseHandle, type LedgerState, type LedgerStatus, type Selectable } from '@w3kit/core';
import type { ChainJob, JobPatch, JobStore } from './job-store.js';
import type { ChainTables, JobKind } from './schema.js';

type JobRow = Selectable<ChainTables['chain_jobs']>;
// mysql2 and pg answer BIGINT columns as strings
const num = (v: number | string | null) => (v === null ? null : Number(v));

function toJob(row: JobRow): ChainJob {
  return {
    id: row.id,
    tokenId: row.token_id,
    kind: row.kind as JobKind,
    payload: JSON.parse(row.payload) as ChainJob['payload'],
    status: row.status as LedgerStatus,
    attempts: Number(row.attempts),
    sender: row.sender,
    nonce: num(row.nonce),
    rawTx: row.raw_tx,
    txHash: row.tx_hash,
    txHashes: row.tx_hashes ? (JSON.parse(row.tx_hashes) as string[]) : [],
    maxFee: row.max_fee === null ? null : BigInt(row.max_fee),
    priorityFee: row.priority_fee === null ? null : BigInt(row.priority_fee),
    sentAt: num(row.sent_at),
    blockNumber: num(row.block_number),
    resends: Number(row.resends),
    error: row.error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const stateOf = (job: ChainJob): LedgerState => ({ status: job.status, tx_hash: job.txHash, block_number: job.blockNumber, error: job.error });

/** The body of a status webhook: the job's state, nothing of the token's metadata. */
export const webhookBody = (job: ChainJob, at: number) =>
  JSON.stringify({ event: 'chain.job.status', job_id: job.id, token_id: job.tokenId, kind: job.kind, ...stateOf(job), at: new Date(at).toISOString() });

function patchColumns(patch: JobPatch, now: number) {
  const set: Partial<Record<keyof ChainTables['chain_jobs'], unknown>> = { next_attempt_at: patch.nextAttemptAt, updated_at: now, lease_owner: null, lease_until: null };
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.rawTx !== undefined) set.raw_tx = patch.rawTx;
  if (patch.txHash !== undefined) set.tx_hash = patch.txHash;
  if (patch.txHashes !== undefined) set.tx_hashes = JSON.stringify(patch.txHashes);
  if (patch.maxFee !== undefined) set.max_fee = patch.maxFee === null ? null : patch.maxFee.toString();
  if (patch.priorityFee !== undefined) set.priority_fee = patch.priorityFee === null ? null : patch.priorityFee.toString();
  if (patch.sentAt !== undefined) set.sent_at = patch.sentAt;
  if (patch.blockNumber !== undefined) set.block_number = patch.blockNumber;
  if (patch.resends !== undefined) set.resends = patch.resends;
  if (patch.error !== undefined) set.error = patch.error === null ? null : patch.error.slice(0, 300);
  return set as Record<string, unknown>;
}

class LeaseLost extends Error {}

export function createKyselyJobStore(database: DatabaseHandle): JobStore {
  const db = database.db.withTables<ChainTables>();
  const mysql = isMysql(database.db);

  /** Queues one delivery per URL of the job's new state, inside `trx`. */
  async function queueWebhooks(trx: typeof db, job: ChainJob, urls: readonly string[], now: number) {
    if (urls.length === 0) return;
    const body = webhookBody(job, now);
    await trx
      .insertInto('chain_webhook_deliveries')
      .values(
        urls.map((url) => ({
          id: randomUUID(),
          job_id: job.id,
          url,
          body,
          state: 'pending',
          attempts: 0,
          next_attempt_at: now,
          lease_until: null,
          last_result: null,
          delivered_at: null,
          created_at: now,
        })),
      )
      .execute();
  }

  return {
    async enqueue(within, { id, tokenId, kind, payload, at }) {
      const values = { id, token_id: tokenId, kind, payload: JSON.stringify(payload), status: 'pending', attempts: 0, next_attempt_at: at, resends: 0, created_at: at, updated_at: at };
      const insert = within.withTables<ChainTables>().insertInto('chain_jobs').values(values);
      // A duplicate must not abort the caller's transaction (PostgreSQL would): no error at all.
      await (mysql ? insert.ignore() : insert.onConflict((oc) => oc.columns(['token_id', 'kind']).doNothing())).execute();
    },

    async states(tokenIds) {
      const states = new Map<string, LedgerState>();
      if (tokenIds.length === 0) return states;
      const rows = await db
        .selectFrom('chain_jobs')
        .selectAll()
        .where('kind', '=', 'mint')
        .where('token_id', 'in', [...tokenIds])
        .execute();
      for (const row of rows) states.set(row.token_id, stateOf(toJob(row)));
      return states;
    },

    async claimDue(owner, now, leaseMs, limit) {
      const due = await db
        .selectFrom('chain_jobs')
        .select('id')
        .where('status', 'in', ['pending', 'submitted'])
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      const claimed: ChainJob[] = [];
      for (const { id } of due) {
        // the lease is taken by a conditional UPDATE: of two workers, one changes the row
        const result = await retryTransient(() =>
          db
            .updateTable('chain_jobs')
            .set({ lease_owner: owner, lease_until: now + leaseMs })
            .where('id', '=', id)
            .where('status', 'in', ['pending', 'submitted'])
            .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
            .executeTakeFirst(),
        );
        if (result.numUpdatedRows !== 1n) continue;
        const row = await db.selectFrom('chain_jobs').selectAll().where('id', '=', id).executeTakeFirst();
        if (row) claimed.push(toJob(row));
      }
      return claimed;
    },

    async update(job, owner, patch, webhookUrls, now) {
      try {
        await retryTransient(() =>
          db.transaction().execute(async (trx) => {
            const result = await trx
              .updateTable('chain_jobs')
              .set(patchColumns(patch, now) as never)
              .where('id', '=', job.id)
              .where('lease_owner', '=', owner)
              .executeTakeFirst();
            if (result.numUpdatedRows !== 1n) throw new LeaseLost();
            if (patch.status !== undefined && patch.status !== job.status) await queueWebhooks(trx, { ...job, ...patch, updatedAt: now }, webhookUrls, now);
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof LeaseLost) return false;
        throw error;
      }
    },

    async allocateNonce(job, owner, sender, chainNonce, sign, now, webhookUrls) {
      for (;;) {
        const row = await db.selectFrom('chain_nonces').select('next_nonce').where('sender', '=', sender).executeTakeFirst();
        if (!row) {
          const first = { sender, next_nonce: await chainNonce() };
          const insert = db.insertInto('chain_nonces').values(first);
          await (mysql ? insert.ignore() : insert.onConflict((oc) => oc.column('sender').doNothing())).execute();
          continue;
        }
        const nonce = Number(row.next_nonce);
        const signed = await sign(nonce);
        try {
          const won = await db.transaction().execute(async (trx) => {
            // compare-and-set: another instance that took this nonce first moved the row on
            const moved = await trx
              .updateTable('chain_nonces')
              .set({ next_nonce: nonce + 1 })
              .where('sender', '=', sender)
              .where('next_nonce', '=', nonce)
              .executeTakeFirst();
            if (moved.numUpdatedRows !== 1n) return false;
            const patch: JobPatch = {
              status: 'submitted',
              rawTx: signed.raw,
              txHash: signed.hash,
              txHashes: [signed.hash],
              maxFee: signed.maxFee,
              priorityFee: signed.priorityFee,
              sentAt: now,
              nextAttemptAt: now,
              error: null,
            };
            const taken = await trx
              .updateTable('chain_jobs')
              .set({ ...patchColumns(patch, now), sender, nonce, lease_owner: owner, lease_until: now + 60_000 } as never)
              .where('id', '=', job.id)
              .where('lease_owner', '=', owner)
              .where('nonce', 'is', null)
              .executeTakeFirst();
            // the lease is gone: roll the nonce back with the transaction, so it is not skipped
            if (taken.numUpdatedRows !== 1n) throw new LeaseLost();
            await queueWebhooks(trx, { ...job, ...patch, updatedAt: now }, webhookUrls, now);
            return true;
          });
          if (won) return { allocated: true, nonce };
        } catch (error) {
          if (error instanceof LeaseLost) return { allocated: false };
          if (!isTransientDbError(error)) throw error;
        }
      }
    },

    async retry(jobId, now) {
      const result = await db
        .updateTable('chain_jobs')
        .set({
          status: 'pending',
          attempts: 0,
          error: null,
          next_attempt_at: now,
          updated_at: now,
          sender: null,
          nonce: null,
          raw_tx: null,
          tx_hash: null,
          tx_hashes: null,
          max_fee: null,
          priority_fee: null,
          sent_at: null,
          block_number: null,
          lease_owner: null,
          lease_until: null,
        })
        .where('id', '=', jobId)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async get(jobId) {
      const row = await db.selectFrom('chain_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      return row ? toJob(row) : null;
    },

    async list(status, limit) {
      let query = db.selectFrom('chain_jobs').selectAll().orderBy('created_at').orderBy('id').limit(limit);
      if (status) query = query.where('status', '=', status);
      return (await query.execute()).map(toJob);
    },

    async claimDeliveries(now, leaseMs, limit) {
      const due = await db
        .selectFrom('chain_webhook_deliveries')
        .select(['id', 'job_id', 'url', 'body', 'attempts'])
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('created_at')
        .limit(limit)
        .execute();
      const claimed = [];
      for (const d of due) {
        const result = await db
          .updateTable('chain_webhook_deliveries')
          .set({ lease_until: now + leaseMs })
          .where('id', '=', d.id)
          .where('state', '=', 'pending')
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .executeTakeFirst();
        if (result.numUpdatedRows === 1n) claimed.push({ id: d.id, jobId: d.job_id, url: d.url, body: d.body, attempts: Number(d.attempts) });
      }
      return claimed;
    },

    async recordDelivery(id, { state, result, nextAttemptAt, at }) {
      await db
        .updateTable('chain_webhook_deliveries')
        .set((eb) => ({
          state,
          last_result: result.slice(0, 200),
          next_attempt_at: nextAttemptAt,
          lease_until: null,
          attempts: eb('attempts', '+', 1),
          delivered_at: state === 'delivered' ? at : null,
        }))
        .where('id', '=', id)
        .execute();
    },

    async deliveriesOf(jobId) {
      const rows = await db.selectFrom('chain_webhook_deliveries').selectAll().where('job_id', '=', jobId).orderBy('created_at').execute();
      return rows.map((r) => ({ url: r.url, state: r.state, attempts: Number(r.attempts), lastResult: r.last_result, body: r.body }));
    },
  };
}
