// What the throwaway database servers of the tests and benchmarks share (scripts/mariadb.mjs,
// scripts/postgres.mjs): waiting for a spawned server to answer, and the shutdown / restart /
// stop controls over a server process on a datadir that outlives it until `stop()`.
import { rmSync } from 'node:fs';

/**
 * Starts the server with `launch()` (resolving to `{ child, exited }` once it answers) and returns
 * { url, port, pid, shutdown({ crash }), restart(), stop() }; `halt(running, crash)` stops one
 * launch. The datadir's folder `dir` is deleted by `stop()` (or when the first launch fails).
 */
export async function controlServer({ name, url, port, dir, launch, halt }) {
  let running;
  try {
    running = await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url,
    port,
    get pid() {
      return running?.child.pid;
    },
    async shutdown({ crash = false } = {}) {
      if (stopped || !running) return;
      const current = running;
      running = undefined;
      await halt(current, crash);
    },
    async restart() {
      if (stopped) throw new Error(`${name} was stopped for good`);
      if (running) await halt(running, false);
      running = undefined;
      running = await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (running) await halt(running, false);
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves `{ child, exited }` once `ready()` succeeds (tried every 200 ms); when the server exits
 * first or 60 s pass, kills it and throws with the tail of its stderr.
 */
export async function untilReady(child, name, ready) {
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await ready();
      return { child, exited };
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`${name} did not start: ${error.message}\n${stderr}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
