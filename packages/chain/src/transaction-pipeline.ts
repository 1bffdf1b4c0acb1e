import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@w3kit/core';
import { Interface, JsonRpcProvider, Transaction, type Wallet } from 'ethers';
import type { ResolvedChainOptions } from './chain-config.js';
import { CREDENTIAL_NFT_ABI } from './credential-nft-artifact.js';
import type { ChainJob, JobPatch, JobStore } from './job-store.js';
import { deliverWebhooks } from './webhooks.js';

/**
 * The sending half of the outbox (thirdweb Engine's design): every instance runs one; jobs are
 * claimed by lease in the database, nonces come from the database's nonce row, and a job's
 * signed transaction is stored before it is broadcast, so a crash or a lost node never loses it.
 */
export interface TransactionPipeline {
  /** One round: claim due jobs and move each one step; then deliver due webhooks. */
  runOnce(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export interface PipelineDeps {
  jobStore: JobStore;
  sender: Wallet;
  provider: JsonRpcProvider;
  clock: Clock;
  logger: Logger;
  options: ResolvedChainOptions;
}

const nft = new Interface(CREDENTIAL_NFT_ABI);

/** A revert the node reports at estimation (the call would fail on chain): no retry helps. */
function revertReason(error: unknown): string | null {
  const e = error as { code?: string; reason?: string | null; shortMessage?: string } | null;
  if (e?.code !== 'CALL_EXCEPTION') return null;
  return e.reason ?? e.shortMessage ?? 'execution reverted';
}

/** What a client may read of an RPC failure: its class, never the library's raw text. */
function rpcErrorClass(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'RPC_ERROR';
}

/** Jobs one worker moves at once within a round. */
const CONCURRENT_JOBS = 8;

const bumped = (fee: bigint, percent: number) => (fee * BigInt(100 + percent)) / 100n + 1n;
const max = (a: bigint, b: bigint) => (a > b ? a : b);

export function createTransactionPipeline({ jobStore, sender, provider, clock, logger, options }: PipelineDeps): TransactionPipeline {
  const owner = randomUUID(); // this worker's lease name
  const urls = options.webhookUrls;
  const now = () => clock.now().getTime();
  const backoff = (attempts: number) => Math.min(options.retryBaseMs * 2 ** Math.max(0, attempts - 1), options.retryMaxMs);
  const soon = () => now() + Math.min(options.pollIntervalMs, 1000);
  /**
   * What every job of one round asks the node alike — the contract's code, the fees, the head —
   * is asked once per round (a round lasts milliseconds to a second; fees and head move per block).
   */
  let round_: { code?: Promise<string>; fees?: Promise<{ maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null }>; head?: Promise<number> } = {};
  const once = <K extends keyof typeof round_>(key: K, ask: () => NonNullable<(typeof round_)[K]>) => {
    const cached = (round_[key] ??= ask());
    // a failed answer is not kept: the next job of the round asks again
    (cached as Promise<unknown>).catch(() => {
      if (round_[key] === cached) delete round_[key];
    });
    return cached;
  };
  const contractCode = () => once('code', () => provider.getCode(options.contractAddress));
  const feeData = () => once('fees', () => provider.getFeeData());
  const head = () => once('head', () => provider.getBlockNumber());

  const callData = (job: ChainJob) =>
    job.kind === 'mint' && 'owner' in job.payload
      ? nft.encodeFunctionData('mint', [job.payload.owner, BigInt(job.tokenId), job.payload.tokenUri, BigInt(job.payload.expiresAt)])
      : nft.encodeFunctionData('burn', [BigInt(job.tokenId)]);

  async function sign(job: ChainJob, nonce: number, gasLimit: bigint, priorityFee: bigint, maxFee: bigint) {
    const raw = await sender.signTransaction({
      type: 2,
      chainId: options.chainId,
      to: options.contractAddress,
      data: callData(job),
      nonce,
      gasLimit,
      maxFeePerGas: maxFee,
      maxPriorityFeePerGas: priorityFee,
    });
    return { raw, hash: Transaction.from(raw).hash!, maxFee, priorityFee };
  }

  /** Broadcasts a stored transaction. A node that already has it is fine; any other failure is left to the next check. */
  async function broadcast(raw: string) {
    try {
      await provider.broadcastTransaction(raw);
    } catch (error) {
      logger.debug({ err: { code: rpcErrorClass(error) } }, 'chain: broadcast failed; the next check re-sends');
    }
  }

  /** A pending job: estimate (a revert fails it), price it, take a nonce, store the signed transaction, send it. */
  async function send(job: ChainJob) {
    if (job.kind === 'burn' && (await jobStore.states([job.tokenId])).get(job.tokenId)?.status !== 'confirmed') {
      // a burn sent before its mint is final would revert (or be reorged ahead of it): wait
      await jobStore.update(job, owner, { nextAttemptAt: soon() }, urls, now());
      return;
    }
    let gas: bigint;
    let fees: { maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null };
    try {
      // A call to an address without code succeeds and does nothing: a node that lost its state
      // (or the wrong chain) would "confirm" mints that never happened. Not yet: retried.
      if ((await contractCode()) === '0x') throw Object.assign(new Error('no contract at the address'), { code: 'CONTRACT_MISSING' });
      gas = await provider.estimateGas({ from: sender.address, to: options.contractAddress, data: callData(job) });
      fees = await feeData();
    } catch (error) {
      const reason = revertReason(error);
      if (reason !== null) {
        await jobStore.update(job, owner, { status: 'failed', error: `reverted: ${reason}`, nextAttemptAt: now() }, urls, now());
        return;
      }
      const attempts = job.attempts + 1;
      const failed = attempts >= options.maxAttempts;
      const error_ = failed ? `${rpcErrorClass(error)} after ${attempts} attempts` : rpcErrorClass(error);
      await jobStore.update(job, owner, { attempts, error: error_, ...(failed ? { status: 'failed' } : {}), nextAttemptAt: now() + backoff(attempts) }, urls, now());
      return;
    }
    const priorityFee = fees.maxPriorityFeePerGas ?? 1_000_000_000n;
    const maxFee = fees.maxFeePerGas ?? priorityFee * 2n;
    const gasLimit = (gas * 12n) / 10n; // headroom: state may change between estimate and inclusion
    const signed = { raw: '', hash: '' };
    const allocation = await inNonceOrder(() =>
      jobStore.allocateNonce(
        job,
        owner,
        sender.address,
        () => provider.getTransactionCount(sender.address, 'pending'),
        async (nonce) => Object.assign(signed, await sign(job, nonce, gasLimit, priorityFee, maxFee)),
        now(),
        urls,
      ),
    );
    if (!allocation.allocated) return;
    await broadcast(signed.raw);
    await jobStore.update({ ...job, status: 'submitted' }, owner, { nextAttemptAt: soon() }, urls, now());
  }

  /** A submitted job: mined and deep enough → confirmed; dropped (reorg, lost node) → re-sent; stuck → re-priced. */
  async function check(job: ChainJob) {
    try {
      let receipt = null;
      for (const hash of [...job.txHashes].reverse()) {
        receipt = await provider.getTransactionReceipt(hash);
        if (receipt) break;
      }
      if (receipt) {
        if (receipt.status === 0) {
          // mined and reverted: the nonce is used, nothing to re-send
          await jobStore.update(job, owner, { status: 'failed', txHash: receipt.hash, blockNumber: receipt.blockNumber, error: 'reverted on chain', nextAttemptAt: now() }, urls, now());
          return;
        }
        const depth = (await head()) - receipt.blockNumber + 1;
        const confirmed = depth >= options.confirmations;
        await jobStore.update(job, owner, { ...(confirmed ? { status: 'confirmed' as const } : {}), txHash: receipt.hash, blockNumber: receipt.blockNumber, nextAttemptAt: soon() }, urls, now());
        return;
      }
      const known = job.txHash ? await provider.getTransaction(job.txHash) : null;
      if (!known || job.blockNumber !== null) {
        // dropped: a reorg took its block (it was seen mined), or the node lost it; same nonce, same bytes
        await broadcast(job.rawTx!);
        await jobStore.update(job, owner, { resends: job.resends + 1, blockNumber: null, nextAttemptAt: soon() }, urls, now());
        return;
      }
      if (job.sentAt !== null && now() - job.sentAt >= options.stuckAfterMs && job.nonce !== null) {
        const fees = await feeData();
        const priorityFee = max(bumped(job.priorityFee ?? 0n, options.bumpPercent), fees.maxPriorityFeePerGas ?? 0n);
        const maxFee = max(bumped(job.maxFee ?? 0n, options.bumpPercent), fees.maxFeePerGas ?? 0n);
        const signed = await sign(job, job.nonce, Transaction.from(job.rawTx!).gasLimit, priorityFee, maxFee);
        // stored before it is sent: whichever of the hashes is mined, the job finds it
        const stored = await jobStore.update(
          job,
          owner,
          { rawTx: signed.raw, txHash: signed.hash, txHashes: [...job.txHashes, signed.hash], maxFee, priorityFee, sentAt: now(), nextAttemptAt: soon() },
          urls,
          now(),
        );
        if (stored) await broadcast(signed.raw);
        return;
      }
      await jobStore.update(job, owner, { nextAttemptAt: soon() }, urls, now());
    } catch (error) {
      // The job holds a nonce: giving up would leave a gap every later nonce waits behind, so a
      // submitted job is checked until its transaction is mined, however long the node is away.
      const patch: JobPatch = { nextAttemptAt: now() + backoff(job.attempts + 1), attempts: Math.min(job.attempts + 1, 30) };
      await jobStore.update(job, owner, patch, urls, now());
    }
  }

  /**
   * This instance's jobs take nonces one at a time (in the order they ask): they would only lose
   * each other's compare-and-set. Other instances are kept apart by the compare-and-set itself.
   */
  let nonceQueue: Promise<unknown> = Promise.resolve();
  function inNonceOrder<T>(work: () => Promise<T>): Promise<T> {
    const turn = nonceQueue.then(work, work);
    nonceQueue = turn.catch(() => undefined);
    return turn;
  }

  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function round() {
    round_ = {};
    const jobs = await jobStore.claimDue(owner, now(), options.leaseMs, options.batchSize);
    // several jobs at once (their RPC round trips overlap), taken in nonce order
    const queue = jobs.sort((a, b) => (a.nonce ?? Infinity) - (b.nonce ?? Infinity));
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENT_JOBS, queue.length) }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) await (job.status === 'pending' ? send(job) : check(job));
      }),
    );
    await deliverWebhooks({ jobStore, clock, options, logger });
  }

  const pipeline: TransactionPipeline = {
    async runOnce() {
      // one round at a time per instance: a slow round is not overlapped by the timer's next
      while (running) await running;
      running = round().finally(() => (running = null));
      await running;
    },
    start() {
      if (timer) return;
      const tick = () => {
        pipeline
          .runOnce()
          .catch((error: unknown) => logger.warn({ err: { code: rpcErrorClass(error) } }, 'chain: pipeline round failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, options.pollIntervalMs).unref();
          });
      };
      timer = setTimeout(tick, options.pollIntervalMs).unref();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running.catch(() => undefined);
    },
  };
  return pipeline;
}
