import { Worker } from 'node:worker_threads';

/** What a pool's worker posts back: the `id` of the message it answers, and the answer. */
export interface WorkerAnswer<Value> {
  id: number;
  value: Value;
}

export interface WorkerPoolOptions {
  /** The worker's module. It answers each message `{ id, … }` with a `WorkerAnswer` of that id. */
  script: URL;
  size: number;
  /** Names the pool in the error of a worker that exits. */
  name: string;
  /** Runs for every worker started, before any call reaches it (a worker handles messages in order). */
  onStart?: (worker: Worker) => void;
}

export interface WorkerPool<Message extends object, Value> {
  /** Posts the message, with an `id` of the pool's, to the least busy worker; its answer. */
  call(message: Message): Promise<Value>;
  /** Posts a message that gets no answer to every running worker (`onStart` tells the ones started later). */
  broadcast(message: object): void;
}

interface Running<Value> {
  worker: Worker;
  pending: Map<number, { resolve: (value: Value) => void; reject: (error: Error) => void }>;
}

/**
 * `size` worker threads, started on the first call that finds a slot empty. A worker keeps the
 * process alive only while it has calls pending, so a command that is done exits. A call goes to the worker with the fewest calls pending; a worker
 * that dies fails its pending calls and is replaced on the next call.
 */
export function createWorkerPool<Message extends object, Value>({ script, size, name, onStart }: WorkerPoolOptions): WorkerPool<Message, Value> {
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`${name}: a worker pool needs a whole number of workers, at least 1 (got ${size})`);
  const slots = new Array<Running<Value> | undefined>(size).fill(undefined);
  let nextId = 0;

  function start(slot: number): Running<Value> {
    const running: Running<Value> = { worker: new Worker(script), pending: new Map() };
    running.worker.on('message', ({ id, value }: WorkerAnswer<Value>) => {
      running.pending.get(id)?.resolve(value);
      running.pending.delete(id);
      if (running.pending.size === 0) running.worker.unref();
    });
    const fail = (error: Error) => {
      if (slots[slot] === running) slots[slot] = undefined;
      for (const { reject } of running.pending.values()) reject(error);
      running.pending.clear();
    };
    running.worker.on('error', fail);
    running.worker.on('exit', (code) => fail(new Error(`${name}: a worker exited (${code})`)));
    // held only while it has calls pending: a process awaiting an answer stays alive for it, and
    // one that is done exits (unref'd after the listeners: attaching one refs the worker again)
    running.worker.unref();
    onStart?.(running.worker);
    return running;
  }

  function leastBusy(): Running<Value> {
    let best = 0;
    for (let i = 0; i < size; i++) {
      const running = slots[i];
      if (!running) return (slots[i] = start(i));
      if (running.pending.size < slots[best]!.pending.size) best = i;
    }
    return slots[best]!;
  }

  return {
    call(message) {
      const running = leastBusy();
      const id = nextId++;
      return new Promise<Value>((resolve, reject) => {
        if (running.pending.size === 0) running.worker.ref();
        running.pending.set(id, { resolve, reject });
        running.worker.postMessage({ ...message, id });
      });
    },
    broadcast(message) {
      for (const running of slots) running?.worker.postMessage({ ...message, id: -1 });
    },
  };
}
