import assert from 'node:assert/strict';
import { createHashingQueue, createScryptHasher, defaultHashingConcurrency, isKitError } from '@w3kit/core';

/** A task that runs until `release()` is called, recording that it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: async () => (log.push(name), await done, name), release: () => release() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function assertShed(error: unknown): true {
  assert.ok(isKitError(error), String(error));
  const e = error;
  assert.equal(e.status, 503);
  assert.equal(e.code, 'SERVICE_UNAVAILABLE');
  assert.equal(e.message, 'Too many password checks are waiting; try again shortly.');
  assert.ok(Number(e.headers['retry-after']) >= 1);
  assert.equal(e.details?.['retry_after_seconds'], Number(e.headers['retry-after']));
  return true;
}

describe('core hashing queue (bounded, fair between clients)', () => {
  it('runs at most `concurrency` tasks at once and starts the next as one ends', async () => {
    const queue = createHashingQueue({ concurrency: 2, maxWaiting: 10 });
    const log: string[] = [];
    const gates = ['a', 'b', 'c'].map((name) => gate(log, name));
    const results = gates.map((g, i) => queue.run(`client-${i}`, g.task));
    await tick();
    assert.deepEqual(log, ['a', 'b']);
    assert.deepEqual([queue.stats().running, queue.stats().waiting], [2, 1]);
    gates[0]!.release();
    assert.equal(await results[0], 'a');
    await tick();
    assert.deepEqual(log, ['a', 'b', 'c']);
    gates[1]!.release();
    gates[2]!.release();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c']);
    assert.deepEqual(queue.stats(), { concurrency: 2, maxWaiting: 10, running: 0, waiting: 0, completed: 3, shed: 0 });
  });

  it('sheds at once with 503 SERVICE_UNAVAILABLE and retry-after when the waiting room is full', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaiting: 2 });
    const log: string[] = [];
    const gates = ['a', 'b', 'c'].map((name) => gate(log, name));
    const accepted = gates.map((g) => queue.run('flood', g.task));
    await assert.rejects(
      queue.run('flood', async () => 'd'),
      assertShed,
    );
    assert.equal(queue.stats().shed, 1);
    for (const g of gates) g.release();
    assert.deepEqual(await Promise.all(accepted), ['a', 'b', 'c']);
  });

  it('a second client takes a flooding client’s newest place and is served next', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaiting: 3 });
    const log: string[] = [];
    const flood = ['f1', 'f2', 'f3', 'f4'].map((name) => gate(log, name));
    const flooded = flood.map((g) => queue.run('10.0.0.1', g.task).catch((error: unknown) => (assertShed(error), 'shed')));
    const legit = gate(log, 'legit');
    const legitResult = queue.run('10.0.0.2', legit.task);
    assert.equal(await flooded[3], 'shed', 'the flood’s newest waiting task made room');
    flood[0]!.release();
    await tick();
    assert.deepEqual(log, ['f1', 'legit'], 'the other client is served before the rest of the flood');
    legit.release();
    assert.equal(await legitResult, 'legit');
    flood[1]!.release();
    flood[2]!.release();
    assert.deepEqual(await Promise.all(flooded), ['f1', 'f2', 'f3', 'shed']);
    assert.deepEqual(log, ['f1', 'legit', 'f2', 'f3']);
  });

  it('one client runs at most concurrency − 1 hashes at once: a slot stays free for anyone else', async () => {
    const queue = createHashingQueue({ concurrency: 3, maxWaiting: 2 });
    const log: string[] = [];
    const flood = ['f1', 'f2', 'f3', 'f4'].map((name) => gate(log, name));
    const flooded = flood.map((g) => queue.run('10.0.0.1', g.task));
    await tick();
    assert.deepEqual(log, ['f1', 'f2']);
    assert.deepEqual([queue.stats().running, queue.stats().waiting], [2, 2]);
    await assert.rejects(
      queue.run('10.0.0.1', async () => 'f5'),
      assertShed,
      'its waiting places are full',
    );
    const legit = gate(log, 'legit');
    const legitResult = queue.run('10.0.0.2', legit.task);
    await tick();
    assert.deepEqual(log, ['f1', 'f2', 'legit'], 'the other client did not wait');
    legit.release();
    assert.equal(await legitResult, 'legit');
    for (const g of flood) g.release();
    assert.deepEqual(await Promise.all(flooded), ['f1', 'f2', 'f3', 'f4']);
  });

  it('with no waiting room a task still runs when a slot is free', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaiting: 0 });
    const log: string[] = [];
    const first = gate(log, 'first');
    const running = queue.run('a', first.task);
    await assert.rejects(
      queue.run('b', async () => 'second'),
      assertShed,
    );
    first.release();
    assert.equal(await running, 'first');
    assert.equal(await queue.run('b', async () => 'third'), 'third');
  });

  it('a client that already holds its fair share is shed instead of evicting another', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaiting: 2 });
    const log: string[] = [];
    const gates = ['a1', 'a2', 'b1'].map((name) => gate(log, name));
    const running = queue.run('a', gates[0]!.task);
    const waiting = [queue.run('a', gates[1]!.task), queue.run('b', gates[2]!.task)];
    await assert.rejects(
      queue.run('c', async () => 'c1'),
      assertShed,
      'one place each: nobody holds two more than c',
    );
    await assert.rejects(
      queue.run('b', async () => 'b2'),
      assertShed,
    );
    for (const g of gates) g.release();
    assert.deepEqual(await Promise.all([running, ...waiting]), ['a1', 'a2', 'b1']);
  });

  it('a task that throws frees its slot and passes its error on', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaiting: 1 });
    await assert.rejects(
      queue.run('k', () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await queue.run('k', async () => 'next'), 'next');
    assert.deepEqual([queue.stats().running, queue.stats().completed], [0, 2]);
  });

  it('sizes itself to the machine and refuses nonsense options', () => {
    assert.ok(defaultHashingConcurrency() >= 1 && defaultHashingConcurrency() <= 3);
    assert.equal(createHashingQueue().stats().maxWaiting, 4 * defaultHashingConcurrency());
    assert.throws(() => createHashingQueue({ concurrency: 0 }), /concurrency must be a positive integer/);
    assert.throws(() => createHashingQueue({ maxWaiting: -1 }), /maxWaiting must be a non-negative integer/);
  });

  it('the password hasher runs every hash through it: an unknown account costs one hash, as a known one', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaiting: 4 });
    const hasher = createScryptHasher(12, queue);
    const stored = await hasher.hash('right');
    assert.equal(queue.stats().completed, 1);
    assert.equal(await hasher.verify('wrong', stored, { queueKey: '10.0.0.1' }), false);
    assert.equal(queue.stats().completed, 2);
    assert.equal(await hasher.verify('wrong', null, { queueKey: '10.0.0.1' }), false);
    assert.equal(await hasher.verify('wrong', 'not a hash'), false);
    assert.equal(queue.stats().completed, 4, 'no account: exactly one hash, no dummy hash made up front');
    assert.equal(await hasher.verify('right', stored), true);
  });
});
