import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, testDatabases } from '@w3kit/core/testing';
import { EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist/main.js');
const CLI = join(ROOT, 'dist/cli.js');

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], ...extra };
  return env;
}

/** Starts the server as `pnpm start` does and resolves with its URL once it prints the listening line. */
async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [MAIN], { env: cleanEnv({ PORT: '0', LOG_LEVEL: 'warn', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (c) => (output += c));
  const url = await new Promise<string>((ok, fail) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) ok(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code}: ${output}`)));
  });
  return { url, child, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('standalone server', () => {
  describe('environment', () => {
    it('defaults to SQLite in a data folder with a generated, persisted master key', () => {
      const dir = mkdtempSync(join(tmpdir(), 'w3kit-env-'));
      try {
        const config = loadServerConfig({}, dir);
        assert.equal(config.mode, 'development');
        assert.equal(config.port, 3000);
        assert.equal(config.databaseUrl, `sqlite:${join(dir, 'data', 'w3kit.db')}`);
        assert.equal(config.publicUrl, 'http://127.0.0.1:3000');
        assert.match(config.masterKey, /^[0-9a-f]{64}$/);
        assert.equal(statSync(join(dir, 'data', 'master-key')).mode & 0o777, 0o600);
        assert.equal(loadServerConfig({}, dir).masterKey, config.masterKey, 'the same key on the next start');
        assert.ok(config.developmentDefaults.some((d) => d.startsWith('W3KIT_MASTER_KEY')));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('production refuses development defaults and lists what to set', () => {
      assert.throws(
        () => loadServerConfig({ NODE_ENV: 'production' }, tmpdir()),
        (error: EnvConfigError) => {
          assert.ok(error instanceof EnvConfigError);
          assert.ok(error.problems.some((p) => p.startsWith('W3KIT_MASTER_KEY: required in production')));
          assert.ok(error.problems.some((p) => p.startsWith('PUBLIC_URL: required in production')));
          return true;
        },
      );
    });

    it('names each malformed variable', () => {
      assert.throws(
        () =>
          loadServerConfig(
            { PORT: 'eighty', DATABASE_URL: 'mongodb://x', W3KIT_MASTER_KEY: 'zz', LOG_LEVEL: 'loud', DNS_SERVERS: '127.0.0.1:53, bad host', SMTP_URL: 'http://x', ATTESTATION_SIGNER_KEY: '0x12' },
            tmpdir(),
          ),
        (error: EnvConfigError) => {
          const fields = error.problems.map((p) => p.split(':')[0]);
          assert.deepEqual(fields.sort(), ['ATTESTATION_SIGNER_KEY', 'DATABASE_URL', 'DNS_SERVERS', 'LOG_LEVEL', 'PORT', 'SMTP_URL', 'W3KIT_MASTER_KEY'].sort());
          return true;
        },
      );
    });
  });

  describe('process', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'w3kit-srv-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('starts on SQLite, says so loudly, serves health, readiness and the OpenAPI document, stops on SIGTERM', async () => {
      const { url, child, output } = await startServer({ W3KIT_DATA_DIR: dir });
      try {
        assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
        assert.deepEqual(await (await fetch(`${url}/readyz`)).json(), { status: 'ready', database: 'up' });
        const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
        assert.equal(doc.openapi, '3.1.0');
        assert.ok(doc.paths['/healthz']);
        assert.match((await fetch(`${url}/docs`)).headers.get('content-type') ?? '', /text\/html/);
        assert.match(output(), /DEVELOPMENT MODE/);
        assert.match(readFileSync(join(dir, 'master-key'), 'utf8'), /^[0-9a-f]{64}\n$/);
      } finally {
        assert.equal(await stop(child), 0);
      }
    });

    it('refuses to start in production without its settings, saying what is missing', () => {
      const run = spawnSync(process.execPath, [MAIN], { env: cleanEnv({ NODE_ENV: 'production', W3KIT_DATA_DIR: dir }), encoding: 'utf8' });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /W3KIT_MASTER_KEY: required in production/);
      assert.doesNotMatch(run.stderr, /at .*\.js:\d+/, 'no stack trace for a configuration error');
    });

    it('`w3kit migrate` applies pending migrations once and `w3kit nope` explains usage', () => {
      const env = cleanEnv({ W3KIT_DATA_DIR: dir });
      const first = spawnSync(process.execPath, [CLI, 'migrate'], { env, encoding: 'utf8' });
      assert.equal(first.status, 0, first.stderr);
      const applied = JSON.parse(first.stdout).applied as string[];
      assert.deepEqual(applied.slice(0, 2), ['core/0001_rate_limits', 'core/0002_one_time_codes']);
      assert.ok(applied.includes('auth/0001_accounts') && applied.includes('nft/0001_tokens'), applied.join());
      const second = spawnSync(process.execPath, [CLI, 'migrate'], { env, encoding: 'utf8' });
      assert.deepEqual(JSON.parse(second.stdout).applied, []);
      const unknown = spawnSync(process.execPath, [CLI, 'nope'], { env, encoding: 'utf8' });
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /unknown command "nope"[\s\S]*usage: w3kit <command>/);
    });

    for (const kind of testDatabases().filter((k) => k === 'mariadb')) {
      describe(kind, () => {
        it('DATABASE_URL=mysql://… switches the server to MariaDB', async () => {
          const db = await createTestDatabase(kind);
          try {
            const { url, child } = await startServer({ W3KIT_DATA_DIR: dir, DATABASE_URL: db.url });
            try {
              assert.deepEqual(await (await fetch(`${url}/readyz`)).json(), { status: 'ready', database: 'up' });
            } finally {
              await stop(child);
            }
          } finally {
            await db.drop();
          }
        });
      });
    }
  });
});
