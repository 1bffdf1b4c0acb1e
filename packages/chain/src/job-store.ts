import type { KitDatabase, LedgerState, LedgerStatus } from '@w3kit/core';
import type { JobKind } from './schema.js';

/** The arguments of a job's contract call. */
export type JobPayload = { owner: string; tokenUri: string; expiresAt: number } | Record<string, never>;

/** One chain job (the outbox row of a mint or burn) and where its transaction stands. */
export interface ChainJob {
  id: string;
  tokenId: string;
  kind: JobKind;
  payload: JobPayload;
  status: LedgerStatus;
  attempts: number;
  sender: string | null;
  nonce: number | null;
  rawTx: string | null;
  txHash: string | null;
  txHashes: string[];
  maxFee: bigint | null;
  priorityFee: bigint | null;
  sentAt: number | null;
  blockNumber: number | null;
  resends: number;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A change to a job a worker holds: fields to set, and the time to look at it again. */
export type JobPatch = Partial<Pick<ChainJob, 'status' | 'attempts' | 'rawTx' | 'txHash' | 'txHashes' | 'maxFee' | 'priorityFee' | 'sentAt' | 'blockNumber' | 'resends' | 'error'>> & {
  nextAttemptAt: number;
};

/** What a worker signs once it holds a nonce. */
export interface SignedTransaction {
  raw: string;
  hash: string;
  maxFee: bigint;
  priorityFee: bigint;
}

export interface WebhookDelivery {
  id: string;
  jobId: string;
  url: string;
  body: string;
  attempts: number;
}

/** The answer of a nonce allocation: the job now holds `nonce` and its signed transaction, or the lease was lost. */
export type NonceAllocation = { allocated: true; nonce: number } | { allocated: false };

/**
 * Persistence of the chain pipeline: jobs (the outbox), each sender's next nonce, and webhook
 * deliveries. Every claim is a conditional UPDATE, so of several instances exactly one wins.
 */
export interface JobStore {
  /** Writes a job inside the caller's transaction; a second job of the same token and kind is a no-op. */
  enqueue(within: KitDatabase, job: { id: string; tokenId: string; kind: JobKind; payload: JobPayload; at: number }): Promise<void>;
  /** The state of the mint job of each token. */
  states(tokenIds: readonly string[]): Promise<Map<string, LedgerState>>;
  /** Leases up to `limit` due jobs (pending or submitted, not leased by a live worker) to `owner`, oldest first. */
  claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<ChainJob[]>;
  /**
   * Changes a job `owner` holds and releases its lease; on a status change, queues one webhook
   * delivery per URL in the same transaction. False when the lease was lost (the change is not made).
   */
  update(job: ChainJob, owner: string, patch: JobPatch, webhookUrls: readonly string[], now: number): Promise<boolean>;
  /**
   * Gives the job the sender's next nonce and the transaction `sign` makes with it, in one
   * transaction: the nonce row moves by compare-and-set, the job takes it only while `owner`
   * holds its lease. The first nonce of a sender is `chainNonce()` (its count on chain).
   */
  allocateNonce(
    job: ChainJob,
    owner: string,
    sender: string,
    chainNonce: () => Promise<number>,
    sign: (nonce: number) => Promise<SignedTransaction>,
    now: number,
    webhookUrls: readonly string[],
  ): Promise<NonceAllocation>;
  /** A failed job back to pending, from scratch (a new nonce when sent). False unless it exists and failed. */
  retry(jobId: string, now: number): Promise<boolean>;
  get(jobId: string): Promise<ChainJob | null>;
  /** Jobs by status, oldest first (the operator's CLI). */
  list(status: LedgerStatus | null, limit: number): Promise<ChainJob[]>;
  /** Leases due webhook deliveries. */
  claimDeliveries(now: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]>;
  /** Records a delivery's outcome: delivered, retried at `nextAttemptAt`, or abandoned. */
  recordDelivery(id: string, outcome: { state: 'delivered' | 'pending' | 'abandoned'; result: string; nextAttemptAt: number; at: number }): Promise<void>;
  deliveriesOf(jobId: string): Promise<{ url: string; state: string; attempts: number; lastResult: string | null; body: string }[]>;
}
