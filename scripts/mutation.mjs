// `pnpm mutation <set>`: StrykerJS on one file set of stryker.config.mjs (core, auth, nft, did,
// attestations), SQLite only, after building the workspace (the other packages are used from
// their dist). Reports and the incremental file go to reports/mutation/ (not committed).
import { spawn, spawnSync } from 'node:child_process';

const sets = ['core', 'auth', 'nft', 'did', 'attestations'];
const [set, ...rest] = process.argv.slice(2);
if (!sets.includes(set)) {
  console.error(`usage: pnpm mutation <${sets.join('|')}> [stryker options, e.g. --force]`);
  process.exit(2);
}
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const env = { ...process.env, W3KIT_MUTATION_SET: set, W3KIT_TEST_DATABASES: 'sqlite' };
const child = spawn(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs', ...rest], { stdio: 'inherit', env });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
