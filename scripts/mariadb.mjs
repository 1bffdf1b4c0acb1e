// Starts a throwaway MariaDB server on a temporary datadir and a free loopback port.
// Used by the test runner and the benchmarks; nothing here touches a system database.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { controlServer, untilReady } from './throwaway-server.mjs';

const require = createRequire(join(process.cwd(), 'packages/core/package.json'));

export function which(name) {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function mariadbAvailable() {
  return Boolean(which('mariadbd') && which('mariadb-install-db'));
}

/**
 * Returns { url, port, pid, stop(), shutdown(), restart() } with url = mysql://w3kit:w3kit@127.0.0.1:<port>/
 * (no database selected). `shutdown()` stops the server (`{ crash: true }`: SIGKILL) and keeps its datadir; `restart()` starts it
 * again on the same datadir and port (fault tests: the database goes away mid-run and comes back).
 * `stop()` stops it for good and deletes the datadir.
 */
export async function startMariadb({ log = () => {}, bufferPoolSize = '2G' } = {}) {
  const mariadbd = which('mariadbd');
  const installDb = which('mariadb-install-db');
  if (!mariadbd || !installDb) throw new Error('mariadbd is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-mariadb-'));
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mariadb.sock');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  execFileSync(installDb, ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot], {
    stdio: 'ignore',
  });
  const mysql = require('mysql2/promise');

  /** Starts mariadbd on the datadir and resolves once it answers, with the w3kit user in place. */
  async function launch() {
    const child = spawn(
      mariadbd,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${socket}`,
        `--tmpdir=${dir}`, // its temporary tables beside its datadir, not among other servers' in /tmp
        '--skip-name-resolve',
        '--max-connections=1000',
        `--innodb-buffer-pool-size=${bufferPoolSize}`, // 2G by default: the nft benchmark's million tokens are ~1.5 GB with indexes
        '--innodb-flush-log-at-trx-commit=2',
        '--skip-log-bin',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        ...asRoot,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return untilReady(child, 'MariaDB', async () => {
      const conn = await mysql.createConnection({ socketPath: socket, user: 'root' });
      await conn.query("CREATE USER IF NOT EXISTS 'w3kit'@'127.0.0.1' IDENTIFIED BY 'w3kit'");
      await conn.query("GRANT ALL PRIVILEGES ON *.* TO 'w3kit'@'127.0.0.1'");
      await conn.end();
    });
  }

  /** SIGTERM (a clean shutdown, SIGKILL after 15 s), or SIGKILL at once (a crash). */
  async function halt({ child, exited }, crash = false) {
    child.kill(crash ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  const server = await controlServer({ name: 'MariaDB', url: `mysql://w3kit:w3kit@127.0.0.1:${port}/`, port, dir, launch, halt });
  log(`MariaDB ${port} started in ${datadir}`);
  return server;
}
