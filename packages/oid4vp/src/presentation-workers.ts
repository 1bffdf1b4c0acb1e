import { createWorkerPool, type JsonWebPublicKey, type WorkerAnswer } from '@w3kit/core';
import { verifyOffline, type OfflineCheck, type OfflineExpectations, type OfflineVerifier } from './presentation-verifier.js';

export interface WorkerRequest {
  id: number;
  presentation: string;
  expected: OfflineExpectations;
  issuerKey: JsonWebPublicKey | undefined;
}

/** The check, or null when the worker failed on it (an internal error, not a refusal). */
export type WorkerReply = WorkerAnswer<OfflineCheck | null>;

/**
 * The offline checks of a presentation (decoding, both signatures, disclosures, key binding:
 * `verifyOffline`) on `size` worker threads (option `presentationWorkers`; core's worker pool).
 * On the event loop they are about a fifth of an answer's time there, and every other request
 * waits behind them while the other cores sit idle.
 */
export function createPresentationWorkers(size: number): OfflineVerifier {
  const pool = createWorkerPool<Omit<WorkerRequest, 'id'>, OfflineCheck | null>({
    script: new URL('./presentation-worker.js', import.meta.url),
    size,
    name: 'oid4vp presentation checks',
  });
  return async (presentation, expected, issuerKey) => {
    const check = await pool.call({ presentation, expected, issuerKey });
    if (!check) throw new Error('oid4vp: a presentation check failed on its worker');
    return check;
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
