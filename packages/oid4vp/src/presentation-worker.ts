// The worker of `presentation-workers.ts`: the offline checks of one presentation per message.
import { parentPort } from 'node:worker_threads';
import { verifyOffline } from './presentation-verifier.js';
import type { WorkerReply, WorkerRequest } from './presentation-workers.js';

parentPort!.on('message', ({ id, presentation, expected, issuerKey }: WorkerRequest) => {
  verifyOffline(presentation, expected, issuerKey).then(
    (check) => parentPort!.postMessage({ id, value: check } satisfies WorkerReply),
    // verifyOffline refuses what it cannot read; anything else is a bug, answered as such
    () => parentPort!.postMessage({ id, value: null } satisfies WorkerReply),
  );
});
