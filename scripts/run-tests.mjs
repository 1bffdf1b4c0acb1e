// The test command: starts a throwaway MariaDB when mariadbd is installed and MYSQL_URL is not
// set, and a throwaway PostgreSQL when it is installed and POSTGRES_URL is not set, runs every
// mocha suite against SQLite, MariaDB and PostgreSQL, and ends with `N passed, N failed`.
//   W3KIT_TEST_DATABASES=sqlite,mariadb,postgres   narrow the database matrix (any subset)
//   W3KIT_REQUIRE_MARIADB=1               fail instead of skipping when MariaDB cannot run (CI)
//   W3KIT_REQUIRE_POSTGRES=1              the same for PostgreSQL
//   extra arguments are passed to mocha (e.g. --grep "rate limiter")
import { spawn } from 'node:child_process';
import { mariadbAvailable, startMariadb } from './mariadb.mjs';
import { postgresAvailable, startPostgres } from './postgres.mjs';

const env = { ...process.env };
const wanted = (env.W3KIT_TEST_DATABASES ?? 'sqlite,mariadb,postgres').split(',');
let mariadb = null;
let postgres = null;

if (wanted.includes('mariadb') && !env.MYSQL_URL) {
  if (mariadbAvailable()) {
    mariadb = await startMariadb({ log: (line) => console.log(`[test] ${line}`) });
    env.MYSQL_URL = mariadb.url;
  } else if (env.W3KIT_REQUIRE_MARIADB === '1') {
    console.error('[test] MariaDB is required (W3KIT_REQUIRE_MARIADB=1) but mariadbd is not installed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  } else {
    console.warn('\n[test] ************************************************************');
    console.warn('[test] MariaDB tests SKIPPED: mariadbd is not installed and MYSQL_URL is not set.');
    console.warn('[test] Install mariadb-server (or set MYSQL_URL) to run the full matrix.');
    console.warn('[test] ************************************************************\n');
  }
}

if (wanted.includes('postgres') && !env.POSTGRES_URL) {
  if (postgresAvailable()) {
    postgres = await startPostgres({ log: (line) => console.log(`[test] ${line}`) });
    env.POSTGRES_URL = postgres.url;
  } else if (env.W3KIT_REQUIRE_POSTGRES === '1') {
    console.error('[test] PostgreSQL is required (W3KIT_REQUIRE_POSTGRES=1) but it is not installed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  } else {
    console.warn('\n[test] ************************************************************');
    console.warn('[test] PostgreSQL tests SKIPPED: postgresql is not installed and POSTGRES_URL is not set.');
    console.warn('[test] Install postgresql (or set POSTGRES_URL) to run the full matrix.');
    console.warn('[test] ************************************************************\n');
  }
}

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
