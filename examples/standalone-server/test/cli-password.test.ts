import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, isKitError, type Kit } from '@w3kit/core';

const CLI = join(resolve(import.meta.dirname, '..'), 'dist/cli.js');
const WARNING = /warning: a password given with --password is visible to every process listing/;

describe('standalone CLI: passwords from stdin, W3KIT_PASSWORD or a prompt, not only the command line', () => {
  let dir: string;
  let kit: Kit | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-cli-password-'));
  });
  after(async () => {
    await kit?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the built CLI (SQLite in the test's data folder), stdin a pipe holding `input`. */
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'], W3KIT_DATA_DIR: dir, ...options.env }, input: options.input ?? '', encoding: 'utf8' });

  /** The account `login` names, if `password` is its password (the kit the CLI wrote to). */
  async function passwordWorks(login: string, password: string): Promise<boolean> {
    kit ??= await createKit({
      database: `sqlite:${join(dir, 'w3kit.db')}`,
      plugins: [auth()],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: readFileSync(join(dir, 'master-key'), 'utf8').trim(), mode: 'test', housekeepingIntervalSeconds: 0 },
    });
    return kit.services.accountService.verifyPassword(login, password, '127.0.0.1').then(
      (account) => account.loginId === login || account.email === login,
      (error: unknown) => {
        if (isKitError(error) && error.code === 'INVALID_CREDENTIALS') return false;
        throw error;
      },
    );
  }

  it('user create --password-stdin reads the password from standard input (one final line break dropped), with no warning', async () => {
    const run = cli(['user', 'create', '--id', 'stdin-user', '--password-stdin'], { input: 'pass from stdin\n' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).login_id, 'stdin-user');
    assert.doesNotMatch(run.stderr, WARNING);
    assert.equal(await passwordWorks('stdin-user', 'pass from stdin'), true);
    assert.equal(await passwordWorks('stdin-user', 'pass from stdin\n'), false);
  });

  it('user create reads W3KIT_PASSWORD when no flag gives one, with no warning', async () => {
    const run = cli(['user', 'create', '--id', 'env-user'], { env: { W3KIT_PASSWORD: 'pass from env' } });
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stderr, WARNING);
    assert.equal(await passwordWorks('env-user', 'pass from env'), true);
  });

  it('org create takes its optional password from stdin too', async () => {
    const run = cli(['org', 'create', '--name', 'Acme', '--domain', 'acme-cli.com', '--email', 'ops@acme-cli.com', '--password-stdin'], { input: 'org pass\r\n' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(await passwordWorks('ops@acme-cli.com', 'org pass'), true);
  });

  it('--password still works but warns on stderr; stdin wins over W3KIT_PASSWORD', async () => {
    const flagged = cli(['user', 'create', '--id', 'flag-user', '--password', 'pass on argv']);
    assert.equal(flagged.status, 0, flagged.stderr);
    assert.match(flagged.stderr, WARNING);
    assert.equal(await passwordWorks('flag-user', 'pass on argv'), true);
    const both = cli(['user', 'create', '--id', 'both-user', '--password-stdin'], { input: 'from stdin', env: { W3KIT_PASSWORD: 'from env' } });
    assert.equal(both.status, 0, both.stderr);
    assert.equal(await passwordWorks('both-user', 'from stdin'), true);
  });

  it('refuses a missing or empty password and --password with --password-stdin (exit 2, no account)', async () => {
    const missing = cli(['user', 'create', '--id', 'nopass-user']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing password: pipe it with --password-stdin, set W3KIT_PASSWORD, or run on a terminal to be asked/);
    const empty = cli(['user', 'create', '--id', 'nopass-user', '--password-stdin'], { input: '\n' });
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /w3kit: the password is empty/);
    const both = cli(['user', 'create', '--id', 'nopass-user', '--password-stdin', '--password', 'x'], { input: 'y' });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--password and --password-stdin cannot be used together/);
    assert.equal(await kit!.services.accountService.findByLoginId('nopass-user'), null);
  });
});
