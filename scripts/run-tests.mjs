// The test command: starts a throwaway MariaDB when mariadbd is installed and MYSQL_URL is not
// set, runs every mocha suite against SQLite and MariaDB, and ends with `N passed, N failed`.
//   W3KIT_TEST_DATABASES=sqlite|mariadb   narrow the database matrix
//   CI=true or W3KIT_REQUIRE_ALL=1        fail instead of skipping when MariaDB (or Chromium) cannot run
//   extra arguments are passed to mocha (e.g. --grep "rate limiter")
import { spawn } from 'node:child_process';
import { skipOrFail } from '../packages/core/dist/testing/required-components.js';
import { mariadbAvailable, startMariadb } from './mariadb.mjs';

const env = { ...process.env };
const wanted = (env.W3KIT_TEST_DATABASES ?? 'sqlite,mariadb').split(',');
let mariadb = null;

if (wanted.includes('mariadb') && !env.MYSQL_URL) {
  if (mariadbAvailable()) {
    mariadb = await startMariadb({ log: (line) => console.log(`[test] ${line}`) });
    env.MYSQL_URL = mariadb.url;
  } else {
    try {
      skipOrFail('MariaDB', 'mariadbd is not installed and MYSQL_URL is not set (install mariadb-server, or set MYSQL_URL)', env);
    } catch (error) {
      console.error(`[test] ${error.message}`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
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
process.exit(code);
