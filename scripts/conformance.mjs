// `pnpm conformance`: the W3C / W3C-CCG Verifiable Credentials suites against the standalone
// server. Starts the built server on a temporary SQLite database, creates an organization (the
// operator's own, allowed to issue under the kit's issuer DIDs), runs the shared runner
// (`../shared/conformance/run.sh all`, or W3KIT_CONFORMANCE_DIR) and compares every test with the
// expected results kept in `conformance/expected.json`:
//   - a test expected to pass that does not pass is a regression: exit 1;
//   - a test that passes and is not expected to is reported, so the expectations can be raised
//     (`pnpm conformance --update` rewrites the file from this run).
// The last line is `conformance: N passed, N failed`, where "failed" counts regressions only; the
// tests that are known to fail are counted and listed apart.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNNER_DIR = resolve(ROOT, process.env.W3KIT_CONFORMANCE_DIR ?? '../shared/conformance');
const EXPECTED = join(ROOT, 'conformance/expected.json');
const MAIN = join(ROOT, 'examples/standalone-server/dist/main.js');
const CLI = join(ROOT, 'examples/standalone-server/dist/cli.js');
const update = process.argv.includes('--update');
const suiteArgs = process.argv.slice(2).filter((a) => a !== '--update');
const suites = suiteArgs.length > 0 ? suiteArgs : ['all'];

const say = (line) => console.log(`[conformance] ${line}`);
const fail = (message) => {
  console.error(`[conformance] ${message}`);
  console.log('conformance: 0 passed, 1 failed');
  process.exit(1);
};

if (!existsSync(join(RUNNER_DIR, 'run.sh'))) fail(`no runner at ${RUNNER_DIR}/run.sh (set W3KIT_CONFORMANCE_DIR)`);
if (!existsSync(MAIN)) fail('the standalone server is not built (pnpm build)');

function freePort() {
  return new Promise((done, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on('error', reject);
  });
}

const work = mkdtempSync(join(tmpdir(), 'w3kit-conformance-'));
const port = await freePort();
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME ?? work,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  W3KIT_DATA_DIR: join(work, 'data'),
  W3KIT_MASTER_KEY: randomBytes(32).toString('hex'),
  ATTESTATION_SIGNER_KEY: `0x${randomBytes(32).toString('hex')}`,
};

// The organization first, through the operator CLI (it migrates the new database), so that the
// server can start with it named as the operator's organization.
const created = JSON.parse(
  execFileSync(process.execPath, [CLI, 'org', 'create', '--name', 'Conformance', '--domain', 'conformance.example', '--email', 'conformance@conformance.example'], {
    env,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop(),
);
if (typeof created.api_key_secret !== 'string') fail(`org create printed no api_key_secret: ${JSON.stringify(created)}`);
env.DID_OPERATOR_ORGANIZATIONS = created.account_id;

const server = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverOutput = '';
server.stdout.on('data', (chunk) => (serverOutput += chunk));
server.stderr.on('data', (chunk) => (serverOutput += chunk));
const stopServer = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
process.on('exit', () => {
  stopServer();
  rmSync(work, { recursive: true, force: true });
});

await new Promise((done, reject) => {
  const timer = setTimeout(() => reject(new Error(`the server did not start in 30 s:\n${serverOutput}`)), 30_000);
  const check = () => {
    if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(serverOutput)) {
      clearTimeout(timer);
      done();
    }
  };
  server.stdout.on('data', check);
  server.stderr.on('data', check);
  server.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${serverOutput}`)));
}).catch((error) => fail(error.message));

const out = join(work, 'results');
say(`server on 127.0.0.1:${port}, organization ${created.account_id}; running ${suites.join(' ')}`);
const runner = spawn('bash', [join(RUNNER_DIR, 'run.sh'), ...suites], {
  env: {
    ...process.env,
    W3KIT_URL: `http://127.0.0.1:${port}`,
    W3KIT_API_KEY_SECRET: created.api_key_secret,
    W3KIT_CONFORMANCE_OUT: out,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
// mocha's spec output of four suites is long: it goes to a log; the runner's own lines are shown.
const log = [];
const keep = (chunk) => {
  const text = chunk.toString();
  log.push(text);
  for (const line of text.split('\n')) if (/^conformance[ :]/.test(line)) console.log(line);
};
runner.stdout.on('data', keep);
runner.stderr.on('data', keep);
const runnerCode = await new Promise((done) => runner.once('exit', (code) => done(code ?? 2)));
const logFile = join(ROOT, 'conformance/last-run.log');
writeFileSync(logFile, log.join(''));
say(`the suites' full output: ${logFile}; results by test: conformance/last-summary.json`);
stopServer();
if (runnerCode === 2 || !existsSync(join(out, 'summary.json'))) fail(`the runner could not run (exit ${runnerCode})`);

const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
writeFileSync(join(ROOT, 'conformance/last-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
const expected = existsSync(EXPECTED) ? JSON.parse(readFileSync(EXPECTED, 'utf8')) : { suites: {} };

let passed = 0;
let regressions = 0;
let knownFailures = 0;
const next = { note: expected.note, suites: { ...expected.suites } };
for (const [name, result] of Object.entries(summary.suites)) {
  const want = new Set(expected.suites?.[name]?.passing ?? []);
  const tests = result.tests ?? [];
  const passing = tests.filter((t) => t.state === 'passed').map((t) => t.title);
  const got = new Set(passing);
  const lost = [...want].filter((title) => !got.has(title));
  const gained = passing.filter((title) => !want.has(title));
  const failing = tests.filter((t) => t.state === 'failed');
  passed += passing.length;
  regressions += lost.length;
  knownFailures += failing.filter((t) => !want.has(t.title)).length;
  say(`${name}: ${passing.length} passed, ${failing.length} failed (${lost.length} of them expected to pass), ${tests.length - passing.length - failing.length} pending`);
  for (const title of lost) say(`  REGRESSION ${name}: ${title}`);
  if (!update) for (const title of gained) say(`  newly passing ${name}: ${title}`);
  next.suites[name] = { passing: [...passing].sort() };
}

if (update) {
  writeFileSync(EXPECTED, `${JSON.stringify(next, null, 2)}\n`);
  say(`wrote ${EXPECTED}`);
}
say(`${knownFailures} known failures (see docs/did.md, "Conformance")`);
console.log(`conformance: ${passed} passed, ${update ? 0 : regressions} failed`);
process.exit(update || regressions === 0 ? 0 : 1);
