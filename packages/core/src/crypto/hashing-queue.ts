import { availableParallelism } from 'node:os';
import { coreErrors } from '../errors.js';

/**
 * Admission control for memory-hard hashing. Each scrypt of a password takes 128 MiB and a few
 * hundred ms of one of libuv's (by default four) pool threads, so a flood of logins for unknown
 * ids would otherwise queue inside libuv without bound and make every login wait behind it. The
 * queue runs at most `concurrency` hashes at once, keeps at most `maxWaiting` waiting, and sheds
 * the rest at once with 503 SERVICE_UNAVAILABLE and `retry-after`.
 *
 * Waiting tasks are served fairly between keys (the client IP): the next slot goes to the key
 * whose last task started longest ago (a key new to the queue first), and when the queue is full
 * a newcomer takes the place of the newest task of the key that holds the most places, if that
 * key holds at least two more than the newcomer's. One key runs at most concurrency − 1 hashes
 * at once (1 with a concurrency of 1), so while one client floods the endpoint a slot stays free
 * and another client's login starts at once, not after the flood.
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

/** A client's place in the queue; kept while it has tasks running or waiting. */
interface Client {
  waiting: Waiting[];
  running: number;
  /** When a task of this client last started (a sequence number): the least recent goes first. */
  lastServed: number;
}

export function createHashingQueue(options: HashingQueueOptions = {}): HashingQueue {
  const concurrency = options.concurrency ?? defaultHashingConcurrency();
  const maxWaiting = options.maxWaiting ?? 4 * concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`hashing queue: concurrency must be a positive integer, got ${concurrency}`);
  if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new TypeError(`hashing queue: maxWaiting must be a non-negative integer, got ${maxWaiting}`);

  // One client never holds every slot: a login from anyone else starts at once, not after a hash.
  const perClient = Math.max(1, concurrency - 1);
  // At most maxWaiting + concurrency clients, so the scans below stay short.
  const clients = new Map<string, Client>();
  let served = 0;
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

  const forget = (key: string, client: Client) => {
    if (client.running === 0 && client.waiting.length === 0) clients.delete(key);
  };

  const next = () => {
    while (running < concurrency && waiting > 0) {
      let chosen: Client | undefined;
      for (const client of clients.values()) {
        if (client.waiting.length === 0 || client.running >= perClient) continue;
        if (!chosen || client.lastServed < chosen.lastServed) chosen = client;
      }
      if (!chosen) return; // only clients at their share wait: the free slot is kept for another
      waiting--;
      chosen.lastServed = ++served;
      chosen.waiting.shift()!.start();
    }
  };

  /** Makes room for a task of `key` by evicting the newest task of the heaviest client, if fair. */
  const evictFor = (key: string): boolean => {
    const own = clients.get(key)?.waiting.length ?? 0;
    let heaviest: Client | undefined;
    for (const client of clients.values()) if (!heaviest || client.waiting.length > heaviest.waiting.length) heaviest = client;
    if (!heaviest || heaviest.waiting.length < own + 2) return false;
    heaviest.waiting.pop()!.shed(); // it had at least two: the client stays
    waiting--;
    return true;
  };

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const known = clients.get(key);
      // Free slots are only ever left to clients below their share, so such a client starts now.
      const startsNow = running < concurrency && (known?.running ?? 0) < perClient && (known?.waiting.length ?? 0) === 0;
      if (!startsNow && waiting >= maxWaiting && !evictFor(key)) {
        shed++;
        return Promise.reject(busy());
      }
      const own = known ?? { waiting: [], running: 0, lastServed: 0 };
      clients.set(key, own);
      return new Promise<T>((resolve, reject) => {
        const finish = () => {
          running--;
          own.running--;
          completed++;
          forget(key, own);
          next();
        };
        own.waiting.push({
          start() {
            running++;
            own.running++;
            const began = performance.now();
            Promise.resolve()
              .then(task)
              .finally(() => (meanMs = 0.8 * meanMs + 0.2 * (performance.now() - began)))
              .then(
                (value) => (finish(), resolve(value)),
                (error: unknown) => (finish(), reject(error)),
              );
          },
          shed() {
            shed++;
            reject(busy());
            forget(key, own);
          },
        });
        waiting++;
        next();
      });
    },
    stats: () => ({ concurrency, maxWaiting, running, waiting, completed, shed }),
  };
}
