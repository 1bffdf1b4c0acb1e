import { availableParallelism } from 'node:os';
import { coreErrors } from '../errors.js';

/**
 * Admission control for memory-hard hashing. Each scrypt of a password takes 128 MiB and a few
 * hundred ms of one of libuv's (by default four) pool threads, so a flood of logins for unknown
 * ids would otherwise queue inside libuv without bound and make every login wait behind it. The
 * queue runs at most `concurrency` hashes at once, keeps at most `maxWaiting` waiting, and sheds
 * the rest at once with 503 SERVICE_UNAVAILABLE and `retry-after`.
 *
 * Waiting tasks are served fairly between keys (the client IP): round robin, one task per key in
 * turn, and when the queue is full a newcomer takes the place of the newest task of the key that
 * holds the most places, if that key holds at least two more than the newcomer's. One client
 * flooding the endpoint thus delays another client's login by about one hash, not by its flood.
 *
 * The queue is per process by nature (it shares out this machine's CPU and memory), unlike the
 * rate limits, which live in the database.
 */
export interface HashingQueue {
  /** Runs `task` when a slot is free; throws 503 SERVICE_UNAVAILABLE at once when the queue is full. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  stats(): HashingQueueStats;
}

export interface HashingQueueStats {
  concurrency: number;
  maxWaiting: number;
  running: number;
  waiting: number;
  /** Tasks that ran to the end (or threw) since the queue was made. */
  completed: number;
  /** Tasks refused with 503 since the queue was made (shed on arrival or evicted while waiting). */
  shed: number;
}

export interface HashingQueueOptions {
  /** Hashes run at once. Default `defaultHashingConcurrency()`. */
  concurrency?: number;
  /** Tasks allowed to wait for a slot. Default 4 × concurrency. */
  maxWaiting?: number;
}

/**
 * Hashes at once by default: one per CPU, but never more than libuv's pool (UV_THREADPOOL_SIZE,
 * default 4) less one thread, which stays free for file system and DNS work.
 */
export function defaultHashingConcurrency(): number {
  const pool = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}

interface Waiting {
  start(): void;
  shed(): void;
}

export function createHashingQueue(options: HashingQueueOptions = {}): HashingQueue {
  const concurrency = options.concurrency ?? defaultHashingConcurrency();
  const maxWaiting = options.maxWaiting ?? 4 * concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`hashing queue: concurrency must be a positive integer, got ${concurrency}`);
  if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new TypeError(`hashing queue: maxWaiting must be a non-negative integer, got ${maxWaiting}`);

  // Keys in the order they are served next; a Map keeps insertion order, and a served key that
  // still has tasks is re-inserted at the end.
  const byKey = new Map<string, Waiting[]>();
  let waiting = 0;
  let running = 0;
  let completed = 0;
  let shed = 0;
  // Mean task duration (exponentially weighted), for an honest retry-after.
  let meanMs = 250;

  const busy = () => {
    const seconds = Math.max(1, Math.ceil(((waiting / concurrency + 1) * meanMs) / 1000));
    return coreErrors.create('SERVICE_UNAVAILABLE', {
      message: 'Too many password checks are waiting; try again shortly.',
      headers: { 'retry-after': String(seconds) },
      details: { retry_after_seconds: seconds },
    });
  };

  const next = () => {
    while (running < concurrency && waiting > 0) {
      const [key, tasks] = byKey.entries().next().value as [string, Waiting[]];
      byKey.delete(key);
      const task = tasks.shift()!;
      if (tasks.length > 0) byKey.set(key, tasks);
      waiting--;
      task.start();
    }
  };

  /** Makes room for a task of `key` by evicting the newest task of the heaviest key, if fair. */
  const evictFor = (key: string): boolean => {
    const own = byKey.get(key)?.length ?? 0;
    let heaviest: Waiting[] | undefined;
    for (const tasks of byKey.values()) if (!heaviest || tasks.length > heaviest.length) heaviest = tasks;
    if (!heaviest || heaviest.length < own + 2) return false;
    heaviest.pop()!.shed(); // at least two: the key keeps its place in the rotation
    waiting--;
    return true;
  };

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      if (running >= concurrency || waiting > 0) {
        if (waiting >= maxWaiting && !evictFor(key)) {
          shed++;
          return Promise.reject(busy());
        }
      }
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          running++;
          const began = performance.now();
          Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => {
              running--;
              completed++;
              meanMs = 0.8 * meanMs + 0.2 * (performance.now() - began);
              next();
            });
        };
        const entry: Waiting = {
          start,
          shed: () => {
            shed++;
            reject(busy());
          },
        };
        const tasks = byKey.get(key);
        if (tasks) tasks.push(entry);
        else byKey.set(key, [entry]);
        waiting++;
        next();
      });
    },
    stats: () => ({ concurrency, maxWaiting, running, waiting, completed, shed }),
  };
}
