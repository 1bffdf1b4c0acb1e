import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { startServerProcess, type ServerProcess } from './server-process.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The shell commands of README.md's "First ten minutes" section, in order: every line of its ```sh blocks. */
function firstTenMinutes(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## First ten minutes\n([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section, 'README.md has a "First ten minutes" section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
}

describe('newcomer README first ten minutes', function () {
  this.timeout(300_000);

  it('the section has the six steps: seed, mint, QR verification, VC, wallet, wallet login', () => {
    const commands = firstTenMinutes();
    assert.equal(commands.length, 6, commands.join('\n'));
    assert.match(commands[0]!, /w3kit dev seed$/);
    assert.match(commands[5]!, /w3kit wallet login '<the requestId the page shows>'$/);
  });

  for (const kind of testDatabases()) {
    describe(kind, () => {
      let database: TestDatabase;
      let server: ServerProcess;
      let dataDir: string;
      let env: Record<string, string>;
      beforeEach(async () => {
        database = await createTestDatabase(kind);
        dataDir = mkdtempSync(join(tmpdir(), 'w3kit-readme-'));
        // the README's server: development defaults (keys generated into the data folder), a port of its own
        const port = String(20_000 + Math.floor(Math.random() * 20_000));
        env = { PATH: process.env['PATH']!, HOME: process.env['HOME'] ?? tmpdir(), W3KIT_DATA_DIR: dataDir, DATABASE_URL: database.url, PORT: port, LOG_LEVEL: 'warn' };
        // a fresh MariaDB database takes its migrations first: on a loaded machine that is more than the default 30 s
        server = await startServerProcess({ W3KIT_DATA_DIR: dataDir, DATABASE_URL: database.url, PORT: port }, { timeoutMs: 120_000 });
      });
      afterEach(async () => {
        await server?.stop();
        rmSync(dataDir, { recursive: true, force: true });
        await database.drop();
      });

      it('each command of the section works as written, up to the wallet login on the demo page', async () => {
        const commands = firstTenMinutes();
        const sh = (command: string) => {
          const done = spawnSync('sh', ['-c', command], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
          assert.equal(done.status, 0, `${command}\n${done.stdout}\n${done.stderr}`);
          return done.stdout;
        };
        assert.match(sh(commands[0]!), /Demo data created/);
        assert.match(sh(commands[1]!), /^\{"status":"ok","result":\{"token_id":"0x[0-9a-f]{64}"/);
        assert.match(sh(commands[2]!), /\{"status":"ok","result":\{"token_id":"0x[0-9a-f]{64}"\},"error":null\}$/);
        assert.match(sh(commands[3]!), /"verified":true/);
        assert.match(sh(commands[4]!), /"credentials":1/);
        // the page shows the command with its own requestId: run what the page says
        const page = await (await fetch(`${server.url}/v2/login-demo`)).text();
        const shown = /id="wallet-command">([^<]*)</.exec(page)![1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
        assert.equal(shown.replace(/'[^']*'$/, ''), commands[5]!.replace(/'[^']*'$/, '').replace(/^npx --yes pnpm@10 /, 'pnpm '));
        const requestId = /'([^']*)'$/.exec(shown)![1]!;
        const user = readFileSync(join(dataDir, 'demo.env'), 'utf8').match(/USER_LOGIN='([^']+)'/)![1]!;
        // pnpm prints its script line first; the wallet's answer is the last line
        assert.equal(
          sh(commands[5]!.replace(/'[^']*'$/, `'${requestId}'`))
            .trim()
            .split('\n')
            .at(-1),
          JSON.stringify({ userId: user }),
        );
      });
    });
  }
});
