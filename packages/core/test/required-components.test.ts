import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { componentsRequired } from '@w3kit/core/testing';

const FIXTURE = fileURLToPath(new URL('./fixtures/needs-a-widget-server.ts', import.meta.url));
const MOCHA = fileURLToPath(new URL('../../../node_modules/mocha/bin/mocha.js', import.meta.url));

/** Runs the fixture suite in its own mocha process with exactly `env` (plus PATH): its counts and stderr. */
function runFixture(env: Record<string, string>) {
  const run = spawnSync(process.execPath, [MOCHA, '--import=tsx', '--reporter', 'json', FIXTURE], {
    env: { PATH: process.env['PATH'], ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const { stats, failures } = JSON.parse(run.stdout) as { stats: { passes: number; pending: number; failures: number }; failures: { err: { message: string } }[] };
  return { status: run.status, stats, failures, stderr: run.stderr };
}

describe('core testing: require a real component or skip loudly', () => {
  it('components are required with CI=true or CI=1 or W3KIT_REQUIRE_ALL=1, not otherwise', () => {
    assert.equal(componentsRequired({ CI: 'true' }), true);
    assert.equal(componentsRequired({ CI: '1' }), true);
    assert.equal(componentsRequired({ W3KIT_REQUIRE_ALL: '1' }), true);
    assert.equal(componentsRequired({ CI: 'true', W3KIT_REQUIRE_ALL: '0' }), true);
    assert.equal(componentsRequired({}), false);
    assert.equal(componentsRequired({ CI: 'false', W3KIT_REQUIRE_ALL: '0' }), false);
  });

  it('in mocha: present, the suite runs; missing, it is skipped with a warning naming what is missing', function () {
    this.timeout(60_000);
    const present = runFixture({});
    assert.deepEqual([present.status, present.stats.passes, present.stats.pending, present.stats.failures], [0, 2, 0, 0]);
    assert.doesNotMatch(present.stderr, /SKIPPED/);
    const missing = runFixture({ WIDGET_SERVER_MISSING: 'widgetd is not installed' });
    assert.deepEqual([missing.status, missing.stats.passes, missing.stats.pending, missing.stats.failures], [0, 0, 2, 0]);
    assert.match(missing.stderr, /SKIPPED: Widget server: widgetd is not installed\. With CI=true or W3KIT_REQUIRE_ALL=1 this is a failure\./);
  });

  it('in mocha with CI=true or W3KIT_REQUIRE_ALL=1: missing fails the run, saying what and why', function () {
    this.timeout(60_000);
    for (const env of [{ CI: 'true' }, { W3KIT_REQUIRE_ALL: '1' }] as Record<string, string>[]) {
      const run = runFixture({ ...env, WIDGET_SERVER_MISSING: 'widgetd is not installed' });
      assert.notEqual(run.status, 0, JSON.stringify(env));
      assert.deepEqual([run.stats.passes, run.stats.pending, run.stats.failures], [0, 0, 1]);
      assert.match(run.failures[0]!.err.message, /^Widget server is required here \(CI=true or W3KIT_REQUIRE_ALL=1\), but widgetd is not installed$/);
      assert.equal(runFixture(env).stats.passes, 2, 'present, it runs in CI too');
    }
  });
});
