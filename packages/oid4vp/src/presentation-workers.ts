import { Worker } from 'node:worker_threads';
import type { JsonWebPublicKey } from '@w3kit/core';
import { verifyOffline, type OfflineCheck, type OfflineExpectations, type OfflineVerifier } from './presentation-verifier.js';

export interface WorkerRequest {
  id: number;
  presentation: string;
  expected: OfflineExpectations;
  issuerKey: JsonWebPublicKey | undefined;
}

/** The check, or null when the worker failed on it (an internal error, not a refusal). */
export interface WorkerReply {
  id: number;
  check: OfflineCheck | null;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

interface Pending {
  resolve: (check: OfflineCheck) => void;
  reject: (error: Error) => void;
}

/**
 * The offline checks of a presentation (decoding, both signatures, disclosures, key binding:
 * `verifyOffline`) on `size` worker threads (option `presentationWorkers`). On the event loop
 * they are about a fifth of an answer's time there, and every other request waits behind them
 * while the other cores sit idle. The workers start on the first call and are unref'd, so they never keep a
 * process alive; one that dies fails its pending checks and is replaced on the next call.
 */
export function createPresentationWorkers(size: number): OfflineVerifier {
  const workers = new Array<PoolWorker | undefined>(size).fill(undefined);
  let nextId = 0;

  function spawn(slot: number): PoolWorker {
    const entry: PoolWorker = { worker: new Worker(new URL('./presentation-worker.js', import.meta.url)), pending: new Map<number, Pending>() };
    entry.worker.unref();
    entry.worker.on('message', ({ id, check }: WorkerReply) => {
      const pending = entry.pending.get(id);
      entry.pending.delete(id);
      if (check) pending?.resolve(check);
      else pending?.reject(new Error('oid4vp: a presentation check failed on its worker'));
    });
    const fail = (error: Error) => {
      if (workers[slot] === entry) workers[slot] = undefined;
      for (const { reject } of entry.pending.values()) reject(error);
      entry.pending.clear();
    };
    entry.worker.on('error', fail);
    entry.worker.on('exit', (code) => fail(new Error(`oid4vp: a presentation worker exited (${code})`)));
    return entry;
  }

  /** The least busy worker (spawned when its slot is empty). */
  function pick(): PoolWorker {
    let best = 0;
    for (let i = 0; i < size; i++) {
      const entry = workers[i];
      if (!entry) return (workers[i] = spawn(i));
      if (entry.pending.size < workers[best]!.pending.size) best = i;
    }
    return workers[best]!;
  }

  return (presentation, expected, issuerKey) => {
    const entry = pick();
    const id = nextId++;
    return new Promise<OfflineCheck>((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      entry.worker.postMessage({ id, presentation, expected, issuerKey } satisfies WorkerRequest);
    });
  };
}

const shared = new Map<number, OfflineVerifier>();

/**
 * The process's presentation workers of this size (made on the first call), shared by every kit
 * in it that asks for as many; 0: the checks on the event loop.
 */
export function presentationWorkers(size: number): OfflineVerifier {
  if (size === 0) return verifyOffline;
  let workers = shared.get(size);
  if (!workers) shared.set(size, (workers = createPresentationWorkers(size)));
  return workers;
}
