// Starts a throwaway three-node MariaDB Galera cluster on loopback ports and temporary
// datadirs (Debian's galera-4 with the installed mariadbd). Used by the test runner's galera
// group and the mixed benchmark's cluster setup; nothing here touches a system database.
// Gotchas handled here: state transfer by rsync fails when mariadbd runs as root, so as root
// the nodes run as the `mysql` user on datadirs it owns; joiners take a few seconds to sync.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { freePort, which } from './mariadb.mjs';

const require = createRequire(join(process.cwd(), 'packages/core/package.json'));
const PROVIDER = '/usr/lib/galera/libgalera_smm.so';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function galeraAvailable() {
  return Boolean(which('mariadbd') && which('mariadb-install-db') && which('rsync') && which('wsrep_sst_rsync') && existsSync(PROVIDER));
}

/** The uid/gid of `mysql` when we run as root (rsync SST refuses root), else null (run as ourselves). */
function mysqlUser() {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'mysql']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'mysql']).toString().trim());
  return { uid, gid };
}

/**
 * Returns { nodes: [{ host, port, url, pid, kill(), restart() }], hosts, url, stop() }.
 * `url` is mysql://w3kit:w3kit@127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3>/ (the kit's host-list
 * format); each node's `url` names that node alone. `kill()` SIGKILLs a node (its datadir kept);
 * `restart()` starts it again and resolves once it has rejoined and is synced.
 */
export async function startGalera({ log = () => {}, size = 3, bufferPoolSize = '128M' } = {}) {
  const mariadbd = which('mariadbd');
  const installDb = which('mariadb-install-db');
  if (!galeraAvailable()) throw new Error('galera-4, rsync and mariadbd are needed for the Galera cluster');
  const owner = mysqlUser();
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-galera-'));
  chmodSync(dir, 0o755);
  // freePort() closes the port it found, so a later call may find the same one: each port of the
  // cluster is taken once (a run failed when node 2's IST port was node 3's gcomm port)
  const taken = new Set();
  const distinctPort = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) return (taken.add(port), port);
    }
  };
  const ports = [];
  for (let i = 0; i < size; i++) ports.push({ sql: await distinctPort(), gcomm: await distinctPort(), ist: await distinctPort(), sst: await distinctPort() });
  const clusterAddress = `gcomm://${ports.map((p) => `127.0.0.1:${p.gcomm}`).join(',')}`;
  const mysql = require('mysql2/promise');

  const nodeDir = (i) => join(dir, `node${i + 1}`);
  for (let i = 0; i < size; i++) {
    mkdirSync(join(nodeDir(i), 'data'), { recursive: true });
    mkdirSync(join(nodeDir(i), 'tmp'), { recursive: true });
    if (owner) for (const d of ['', 'data', 'tmp']) chownSync(join(nodeDir(i), d), owner.uid, owner.gid);
  }
  // Only the first node is initialized; the others receive its datadir by state transfer.
  execFileSync(installDb, ['--no-defaults', `--datadir=${join(nodeDir(0), 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...(owner ? ['--user=mysql'] : [])], {
    stdio: 'ignore',
  });

  const args = (i, bootstrap) => {
    const p = ports[i];
    const home = nodeDir(i);
    return [
      '--no-defaults',
      `--datadir=${join(home, 'data')}`,
      `--tmpdir=${join(home, 'tmp')}`,
      `--port=${p.sql}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(home, 'mariadb.sock')}`,
      `--pid-file=${join(home, 'mariadb.pid')}`,
      `--log-error=${join(home, 'error.log')}`,
      '--skip-name-resolve',
      '--max-connections=500',
      `--innodb-buffer-pool-size=${bufferPoolSize}`,
      '--innodb-flush-log-at-trx-commit=2',
      '--innodb-autoinc-lock-mode=2',
      '--binlog-format=ROW',
      '--default-storage-engine=InnoDB',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--wsrep-on=ON',
      `--wsrep-provider=${PROVIDER}`,
      `--wsrep-cluster-address=${clusterAddress}`,
      '--wsrep-cluster-name=w3kit-test',
      `--wsrep-node-name=node${i + 1}`,
      `--wsrep-node-address=127.0.0.1:${p.gcomm}`,
      `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p.gcomm};ist.recv_addr=127.0.0.1:${p.ist};gcache.size=128M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S`,
      `--wsrep-sst-receive-address=127.0.0.1:${p.sst}`,
      '--wsrep-sst-method=rsync',
      // causal reads: a read on one node sees every write committed on any node before it
      '--wsrep-sync-wait=1',
      ...(bootstrap ? ['--wsrep-new-cluster'] : []),
      ...(owner ? ['--user=mysql'] : []),
    ];
  };

  /** Starts node i and resolves once it is synced with the cluster (wsrep_ready = ON). */
  async function launch(i, bootstrap = false) {
    const child = spawn(mariadbd, args(i, bootstrap), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        const conn = await mysql.createConnection({ socketPath: join(nodeDir(i), 'mariadb.sock'), user: 'root' });
        try {
          const [rows] = await conn.query("SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment')");
          const status = Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
          if (status.wsrep_ready === 'ON' && status.wsrep_local_state_comment === 'Synced') {
            if (bootstrap) {
              // users are replicated: created once on the first node
              await conn.query("CREATE USER IF NOT EXISTS 'w3kit'@'127.0.0.1' IDENTIFIED BY 'w3kit'");
              await conn.query("GRANT ALL PRIVILEGES ON *.* TO 'w3kit'@'127.0.0.1'");
            }
            return { child, exited };
          }
        } finally {
          await conn.end();
        }
      } catch {
        // not answering yet
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        let tail = stderr;
        try {
          tail += execFileSync('tail', ['-n', '40', join(nodeDir(i), 'error.log')]).toString();
        } catch {
          // no log
        }
        throw new Error(`Galera node ${i + 1} did not start:\n${tail}`);
      }
      await sleep(250);
    }
  }

  async function halt(running, signal = 'SIGTERM') {
    running.child.kill(signal);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
    await running.exited;
    clearTimeout(timer);
  }

  const running = [];
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    // the last node to leave shuts down cleanly; order does not matter for a throwaway cluster
    await Promise.all(running.map((r) => r && halt(r)));
    rmSync(dir, { recursive: true, force: true });
  }
  try {
    const started = Date.now();
    running[0] = await launch(0, true);
    for (let i = 1; i < size; i++) running[i] = await launch(i);
    log(`Galera cluster of ${size} nodes on ports ${ports.map((p) => p.sql).join(', ')} synced in ${Date.now() - started} ms (${dir})`);
  } catch (error) {
    await stop();
    throw error;
  }
  const hosts = ports.map((p) => `127.0.0.1:${p.sql}`);
  return {
    hosts,
    url: `mysql://w3kit:w3kit@${hosts.join(',')}/`,
    nodes: ports.map((p, i) => ({
      host: '127.0.0.1',
      port: p.sql,
      url: `mysql://w3kit:w3kit@127.0.0.1:${p.sql}/`,
      get pid() {
        return running[i]?.child.pid;
      },
      async kill() {
        const current = running[i];
        running[i] = undefined;
        if (current) await halt(current, 'SIGKILL');
      },
      async restart() {
        if (stopped) throw new Error('the cluster was stopped');
        if (running[i]) await halt(running[i]);
        running[i] = undefined;
        running[i] = await launch(i);
      },
    })),
    stop,
  };
}

/** `url` (mysql://user:password@host:port/db…) on the host list `hosts`, starting at `hosts[first]`. */
export function onHosts(url, hosts, first) {
  const rotated = [...hosts.slice(first), ...hosts.slice(0, first)].join(',');
  return url.replace(/@[^/]*\//, `@${rotated}/`);
}

// `node scripts/galera.mjs`: start a cluster, print its URL, stop on Ctrl-C (manual checks).
if (import.meta.url === `file://${process.argv[1]}`) {
  const cluster = await startGalera({ log: console.log });
  console.log(cluster.url);
  process.once('SIGINT', () => void cluster.stop().then(() => process.exit(0)));
}
