// Starts a throwaway PostgreSQL server on a temporary datadir and a free loopback port.
// Used by the test runner and the benchmarks; nothing here touches a system cluster.
// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (Debian's
// package creates it), with the datadir handed to that user.
import { spawn, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { freePort } from './mariadb.mjs';
import { controlServer, untilReady } from './throwaway-server.mjs';

const require = createRequire(join(process.cwd(), 'packages/core/package.json'));

/** Debian installs the server binaries under /usr/lib/postgresql/<major>/bin, not on PATH. */
function binDir() {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0], 'bin') : null;
}

/** The uid/gid to run the server as: ourselves, or `postgres` when we are root. */
function serverUser() {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export function postgresAvailable() {
  if (!binDir()) return false;
  if (process.getuid?.() !== 0) return true;
  try {
    serverUser();
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns { url, port, pid, stop(), shutdown(), restart() } with url = postgres://w3kit:w3kit@127.0.0.1:<port>/postgres.
 * `shutdown()` stops the server (`{ crash: true }`: SIGKILL to the postmaster and every backend) and keeps its datadir;
 * `restart()` starts it again on the same datadir and port (fault tests: the database goes away mid-run and comes back).
 * `stop()` stops it for good and deletes the datadir.
 */
export async function startPostgres({ log = () => {}, sharedBuffers = '256MB', maxConnections = 400 } = {}) {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-postgres-'));
  const datadir = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, 'w3kit\n');
  if (user.uid !== undefined) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const port = await freePort();
  execFileSync(
    join(bin, 'initdb'),
    // C.UTF-8 rather than C: a linguistic default collation, as servers have, under which the kit's
    // exact comparisons must still hold (deterministic collations compare bytes for equality).
    ['-D', datadir, '-U', 'w3kit', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
    { stdio: 'ignore', cwd: dir, ...user },
  );
  const pg = require('pg');

  /** Starts postgres on the datadir and resolves once it answers. */
  async function launch() {
    const child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        datadir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
        '-c',
        `max_connections=${maxConnections}`,
        '-c',
        `shared_buffers=${sharedBuffers}`,
        // durability traded for speed on a throwaway server, as the MariaDB one does (flush at commit = 2):
        // a commit writes its WAL to the kernel before it is acknowledged (synchronous_commit stays on),
        // so a killed server loses nothing acknowledged; only an OS crash could (no fsync)
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'log_min_messages=fatal',
      ],
      // detached: its own process group, so a crash takes the backends down with the postmaster
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, detached: true, ...user },
    );
    return untilReady(child, 'PostgreSQL', async () => {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'w3kit', password: 'w3kit', database: 'postgres' });
      try {
        await client.connect();
        await client.query('select 1');
      } finally {
        await client.end().catch(() => {});
      }
    });
  }

  /** SIGINT (a fast shutdown, SIGKILL after 15 s), or SIGKILL to the whole group at once (a crash). */
  async function halt({ child, exited }, crash = false) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    if (crash) killGroup();
    else child.kill('SIGINT');
    const timer = setTimeout(killGroup, 15_000);
    await exited;
    clearTimeout(timer);
    if (crash) {
      // backends notice a dead postmaster by themselves; the group kill above already took them
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const server = await controlServer({ name: 'PostgreSQL', url: `postgres://w3kit:w3kit@127.0.0.1:${port}/postgres`, port, dir, launch, halt });
  log(`PostgreSQL ${port} started in ${datadir}`);
  return server;
}
