// Issue 13: createDatabase loads only the driver of the engine it opens, on the first query, so a
// deployment installs just that one. A child process runs with the other drivers made
// unresolvable (a module resolve hook), as if they were not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CORE = fileURLToPath(new URL('..', import.meta.url));
const HOOK = new URL('./fixtures/block-modules.mjs', import.meta.url).href;

/** Runs createDatabase(url) (and one query when `query`) with `blocked` unresolvable; answers the child's output line. */
function openWithout(blocked: string[], url: string, query: boolean): string {
  const script = `
    import { register } from 'node:module';
    register(${JSON.stringify(HOOK)});
    const { createDatabase } = await import('@w3kit/core');
    const handle = createDatabase(${JSON.stringify(url)});
    const answered = ${query} ? await handle.ping() : 'not asked';
    await handle.destroy();
    console.log(handle.dialect + ' ' + answered);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: CORE, env: { ...process.env, W3KIT_BLOCK_MODULES: blocked.join(',') }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

describe('database drivers are loaded lazily (issue 13)', () => {
  it('SQLite opens and answers without mysql2 or pg installed', () => {
    assert.equal(openWithout(['mysql2', 'pg'], 'sqlite::memory:', true), 'sqlite true');
  });
  it('a MySQL or PostgreSQL handle is made without better-sqlite3 (nor the other driver) installed', () => {
    assert.equal(openWithout(['better-sqlite3', 'pg'], 'mysql://kit:pw@127.0.0.1:1/w3kit', false), 'mysql not asked');
    assert.equal(openWithout(['better-sqlite3', 'mysql2'], 'postgres://kit:pw@127.0.0.1:1/w3kit', false), 'postgres not asked');
  });
  it('the driver is loaded on the first query: without better-sqlite3 a SQLite ping answers false (and does not crash the process)', () => {
    assert.equal(openWithout(['better-sqlite3'], 'sqlite::memory:', true), 'sqlite false');
  });
});
