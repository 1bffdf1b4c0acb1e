import { availableParallelism } from 'node:os';
import { createWorkerPool, type WorkerAnswer } from '../worker-pool.js';

/** A message to a worker: a key to keep, a digest to sign with one or with a key not kept, or a signer to recover. */
export type WorkerRequest =
  | { id: number; op: 'key'; keyId: number; privateKey: Uint8Array }
  | { id: number; op: 'sign'; keyId: number; digest: string }
  | { id: number; op: 'signOnce'; privateKey: Uint8Array; digest: string }
  | { id: number; op: 'recover'; digest: string; signature: string; bit: 0 | 1 };

/** `sign`: r ‖ s as 128 hex digits and the recovery bit; `recover`: 40 hex digits or null. */
export type WorkerReply = WorkerAnswer<string | null>;

/** A secp256k1 key kept by the workers: it signs there and never comes back. */
export interface WorkerSigningKey {
  /** The deterministic (RFC 6979), low-S signature of a 32-byte digest (hex, no 0x): r ‖ s hex and the recovery bit. */
  sign(digest: string): Promise<{ compact: string; recovery: 0 | 1 }>;
}

/**
 * secp256k1 (noble's) on worker threads. A recovery or a signature is 0.3–1 ms of JavaScript:
 * on the event loop every other request waits behind it and the machine's other cores sit idle.
 * The workers (one per core but one, at least one) start on the first call and are unref'd, so
 * they never keep a process alive; a worker that dies fails its pending calls and is replaced
 * (with the keys it held) on the next one. One set per process, shared by every plugin.
 */
export interface Secp256k1Workers {
  /** The address (40 lower-case hex digits) whose key signed the 32-byte `digest` (hex) with r ‖ s `signature` (128 hex) and `bit`, or null. */
  recoverAddress(digest: string, signature: string, bit: 0 | 1): Promise<string | null>;
  /** Hands a private key (32 bytes) to the workers for `sign`. */
  signingKey(privateKey: Uint8Array): WorkerSigningKey;
  /**
   * One signature (as `WorkerSigningKey.sign`) by a key the worker holds for this call only: for
   * the many custodial wallets, each opened per signature, whose keys no worker should keep.
   */
  signOnce(privateKey: Uint8Array, digest: string): Promise<{ compact: string; recovery: 0 | 1 }>;
}

const DIGEST = /^[0-9a-fA-F]{64}$/;

/** A request without its id, which the pool gives it. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Call = WithoutId<WorkerRequest>;

export function createSecp256k1Workers(size = Math.max(1, availableParallelism() - 1)): Secp256k1Workers {
  const keys: Uint8Array[] = [];
  const pool = createWorkerPool<Call, string | null>({
    script: new URL('./secp256k1-worker.js', import.meta.url),
    size,
    name: 'secp256k1',
    // a replacement learns the keys its predecessor held (messages are handled in order)
    onStart: (worker) => keys.forEach((privateKey, keyId) => worker.postMessage({ id: -1, op: 'key', keyId, privateKey } satisfies WorkerRequest)),
  });

  const signature = (value: string | null) => {
    if (value === null) throw new TypeError('secp256k1: not signed (the key is not a private key)');
    return { compact: value.slice(0, 128), recovery: Number(value.slice(128)) as 0 | 1 };
  };

  return {
    recoverAddress: (digest, signature, bit) => pool.call({ op: 'recover', digest, signature, bit }),
    signOnce(privateKey, digest) {
      // a shorter digest would be signed too (noble truncates or pads nothing): refused here
      if (!DIGEST.test(digest)) return Promise.reject(new TypeError('secp256k1: a digest is 32 bytes (64 hex digits)'));
      return pool.call({ op: 'signOnce', privateKey, digest }).then(signature);
    },
    signingKey(privateKey) {
      const keyId = keys.push(Uint8Array.from(privateKey)) - 1;
      pool.broadcast({ op: 'key', keyId, privateKey });
      return {
        sign: async (digest) => signature(await pool.call({ op: 'sign', keyId, digest })),
      };
    },
  };
}

let shared: Secp256k1Workers | undefined;

/** The process's one set of secp256k1 workers (made on the first call). */
export function secp256k1Workers(): Secp256k1Workers {
  return (shared ??= createSecp256k1Workers());
}
