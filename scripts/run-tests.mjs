// The test command: starts a throwaway MariaDB when mariadbd is installed and MYSQL_URL is not
// set, and a throwaway PostgreSQL when it is installed and POSTGRES_URL is not set, runs every
// mocha suite against SQLite, MariaDB and PostgreSQL, and ends with `N passed, N failed`.
//   W3KIT_TEST_DATABASES=sqlite,mariadb,postgres   narrow the database matrix (any subset)
//   CI=true or W3KIT_REQUIRE_ALL=1        fail instead of skipping when MariaDB, PostgreSQL (or Chromium) cannot run
//   W3KIT_TEST_GALERA=1                   run the galera group instead: a throwaway three-node
//                                         Galera cluster, the galera tests and the multi-instance
//                                         flows, fuzzer and load smoke on it (see galera.mjs)
//   W3KIT_REQUIRE_GALERA=1                fail instead of skipping when the cluster cannot run (CI)
//   extra arguments are passed to mocha (e.g. --grep "rate limiter")
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { skipOrFail } from '../packages/core/dist/testing/required-components.js';
import { mariadbAvailable, startMariadb } from './mariadb.mjs';
import { galeraAvailable, startGalera } from './galera.mjs';
import { postgresAvailable, startPostgres } from './postgres.mjs';

const env = { ...process.env };
if (env.W3KIT_TEST_GALERA === '1') process.exit(await runGaleraGroup());
const wanted = (env.W3KIT_TEST_DATABASES ?? 'sqlite,mariadb,postgres').split(',');
/**
 * A throwaway server of the matrix, unless `kind` is left out or `variable` names a server
 * already; without the server's binaries, skips its half (or fails when components are required).
 */
async function throwawayServer(kind, variable, name, available, start, missing) {
  if (!wanted.includes(kind) || env[variable]) return null;
  if (available()) {
    const server = await start({ log: (line) => console.log(`[test] ${line}`) });
    env[variable] = server.url;
    return server;
  }
  try {
    skipOrFail(name, missing, env);
  } catch (error) {
    console.error(`[test] ${error.message}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  return null;
}

const mariadb = await throwawayServer(
  'mariadb',
  'MYSQL_URL',
  'MariaDB',
  mariadbAvailable,
  startMariadb,
  'mariadbd is not installed and MYSQL_URL is not set (install mariadb-server, or set MYSQL_URL)',
);
const postgres = await throwawayServer(
  'postgres',
  'POSTGRES_URL',
  'PostgreSQL',
  postgresAvailable,
  startPostgres,
  'PostgreSQL is not installed and POSTGRES_URL is not set (install postgresql, or set POSTGRES_URL)',
);

const suites = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'];
const args = ['--import=tsx', '--reporter', './scripts/summary-reporter.cjs', '--timeout', '30000', '--exit', ...process.argv.slice(2), ...suites];
const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', ...args], { stdio: 'inherit', env });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
if (mariadb) await mariadb.stop();
if (postgres) await postgres.stop();
process.exit(code);

/**
 * The galera group: MYSQL_URL names the first node (the tests' own admin connections, and the
 * in-process kits of the fuzzer), W3KIT_GALERA_HOSTS lists every node: server processes started
 * by test/server-process.ts each prefer another node, and the galera tests place kits per node.
 */
async function runGaleraGroup() {
  if (!galeraAvailable()) {
    const required = env.W3KIT_REQUIRE_GALERA === '1';
    console[required ? 'error' : 'warn'](`[test] galera group ${required ? 'REQUIRED but' : 'SKIPPED:'} galera-4, rsync or mariadbd is not installed`);
    console.log(`0 passed, ${required ? 1 : 0} failed`);
    return required ? 1 : 0;
  }
  const started = Date.now();
  const cluster = await startGalera({ log: (line) => console.log(`[test] ${line}`) });
  // the failover test kills and restarts nodes through this (the cluster is this process's)
  const control = createServer((req, res) => {
    const [, action, index] = (req.url ?? '').split('/');
    const node = cluster.nodes[Number(index)];
    if (req.method !== 'POST' || !node || (action !== 'kill' && action !== 'restart')) return void res.writeHead(404).end();
    node[action]().then(
      () => res.writeHead(200).end('ok'),
      (error) => res.writeHead(500).end(String(error?.message ?? error)),
    );
  });
  await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
  const groupEnv = {
    ...env,
    W3KIT_GALERA_CONTROL: `http://127.0.0.1:${control.address().port}`,
    MYSQL_URL: cluster.nodes[0].url,
    W3KIT_GALERA_HOSTS: cluster.hosts.join(','),
    W3KIT_TEST_DATABASES: 'mariadb',
    // the fuzzer's requests per endpoint on the cluster (80 on one server): every write is certified by three nodes
    FUZZ_RUNS: env.FUZZ_RUNS ?? '20',
  };
  const galeraSuites = ['test/galera-*.test.ts', 'test/multi-instance.test.ts', 'test/fuzz.test.ts', 'test/load-smoke.test.ts'];
  const galeraArgs = ['--import=tsx', '--reporter', './scripts/summary-reporter.cjs', '--timeout', '60000', '--exit', ...process.argv.slice(2), ...galeraSuites];
  const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', ...galeraArgs], { stdio: 'inherit', env: groupEnv });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  control.close();
  await cluster.stop();
  console.log(`[test] galera group took ${Math.round((Date.now() - started) / 1000)} s`);
  return code;
}
