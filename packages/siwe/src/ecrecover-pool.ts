import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** One recovery: a 32-byte digest and a 64-byte r ‖ s signature (hex, no 0x), and the recovery bit. */
export interface RecoveryRequest {
  id: number;
  digest: string;
  signature: string;
  bit: 0 | 1;
}

/** The signer's address as 40 lower-case hex digits, or null when the signature has no signer. */
export interface RecoveryReply {
  id: number;
  address: string | null;
}

export interface RecoveryPool {
  /** The address (40 lower-case hex digits) whose key made `signature` over `digest`, or null. */
  recover(digest: string, signature: string, bit: 0 | 1): Promise<string | null>;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (address: string | null) => void; reject: (error: Error) => void }>;
}

/**
 * ecrecover on worker threads. A secp256k1 recovery is about a millisecond of JavaScript (noble),
 * most of a sign-in's CPU: on the event loop every other request waits behind it, and the
 * machine's other cores sit idle. `size` workers (default: one per core but one, at least one)
 * start on the first recovery and are unref'd, so they never keep a process alive; a worker that
 * dies fails its pending recoveries (the sign-in answers 500 once) and is replaced on the next call.
 */
export function createRecoveryPool(size = Math.max(1, availableParallelism() - 1)): RecoveryPool {
  const workers: (PoolWorker | undefined)[] = new Array<PoolWorker | undefined>(size).fill(undefined);
  let nextId = 0;

  function spawn(slot: number): PoolWorker {
    const worker = new Worker(new URL('./ecrecover-worker.js', import.meta.url));
    const entry: PoolWorker = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', ({ id, address }: RecoveryReply) => {
      entry.pending.get(id)?.resolve(address);
      entry.pending.delete(id);
    });
    const fail = (error: Error) => {
      if (workers[slot] === entry) workers[slot] = undefined;
      for (const { reject } of entry.pending.values()) reject(error);
      entry.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ecrecover worker exited (${code})`)));
    return entry;
  }

  /** The least busy worker (spawned when its slot is empty). */
  function pick(): PoolWorker {
    let best = 0;
    for (let i = 0; i < size; i++) {
      const w = workers[i];
      if (!w) return (workers[i] = spawn(i));
      if (w.pending.size < workers[best]!.pending.size) best = i;
    }
    return workers[best]!;
  }

  return {
    recover(digest, signature, bit) {
      const entry = pick();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        entry.pending.set(id, { resolve, reject });
        entry.worker.postMessage({ id, digest, signature, bit } satisfies RecoveryRequest);
      });
    },
  };
}
