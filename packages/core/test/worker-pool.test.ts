import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerPool } from '@w3kit/core';

const script = new URL('./fixtures/pool-worker.mjs', import.meta.url);
interface Answer {
  doubled: number;
  threadId: number;
  greeting: string | null;
}
type Message = { n: number; delay?: number } | { exit: true };

describe('core worker pool: calls on worker threads, answered by id', function () {
  this.timeout(30_000);

  it('answers every call with its own answer, spread over the workers by the calls they have pending', async () => {
    const pool = createWorkerPool<Message, Answer>({ script, size: 2, name: 'test pool' });
    const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => pool.call({ n, delay: n % 7 })));
    assert.deepEqual(
      answers.map((a) => a.doubled),
      Array.from({ length: 60 }, (_, n) => n * 2),
    );
    const threads = new Set(answers.map((a) => a.threadId));
    assert.equal(threads.size, 2, 'both workers served');
  });

  it('a worker that exits fails its pending calls, naming the pool; the next call starts a replacement that onStart and broadcast reach', async () => {
    const pool = createWorkerPool<Message, Answer>({ script, size: 1, name: 'test pool', onStart: (worker) => worker.postMessage({ id: -1, hello: 'from onStart' }) });
    const first = await pool.call({ n: 1 });
    assert.equal(first.greeting, 'from onStart');
    const slow = pool.call({ n: 2, delay: 2_000 });
    await assert.rejects(pool.call({ exit: true }), /test pool: a worker exited \(3\)/);
    await assert.rejects(slow, /test pool: a worker exited \(3\)/);
    const replaced = await pool.call({ n: 3 });
    assert.equal(replaced.doubled, 6);
    assert.notEqual(replaced.threadId, first.threadId);
    assert.equal(replaced.greeting, 'from onStart');
    pool.broadcast({ hello: 'broadcast' });
    assert.equal((await pool.call({ n: 4 })).greeting, 'broadcast');
  });

  it('holds a process only while it waits for an answer: a script awaiting calls gets them, then exits by itself', () => {
    const pool = new URL('../dist/worker-pool.js', import.meta.url).href;
    const code = `const { createWorkerPool } = await import(${JSON.stringify(pool)});
      const pool = createWorkerPool({ script: new URL(${JSON.stringify(script.href)}), size: 2, name: 'test pool' });
      const answers = await Promise.all([pool.call({ n: 1 }), pool.call({ n: 2 })]);
      console.log(answers.map((a) => a.doubled).join(','));`;
    const dir = mkdtempSync(join(tmpdir(), 'w3kit-pool-'));
    try {
      writeFileSync(join(dir, 'use-pool.mjs'), code);
      const child = spawnSync(process.execPath, [join(dir, 'use-pool.mjs')], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env['PATH'] ?? '' } });
      assert.equal(child.signal, null, 'the script had to be killed: the pool kept it alive');
      assert.equal(child.status, 0, `exit ${child.status} (13: it exited while still awaiting an answer) ${child.stderr}`);
      assert.equal(child.stdout.trim(), '2,4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a size that is not a whole number of at least one, naming the pool', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => createWorkerPool({ script, size, name: 'test pool' }),
        (error: Error) => error instanceof TypeError && /^test pool: a worker pool needs a whole number of workers/.test(error.message),
      );
    }
  });
});
