// Runs a built entry point (`node scripts/built.mjs examples/standalone-server/dist/cli.js …`),
// building first only when a TypeScript source or tsconfig is newer than the last build: `tsc -b`
// alone takes seconds even when nothing changed, which every `pnpm w3kit …` call paid.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/built.mjs <built entry.js> [arguments]');
  process.exit(2);
}

/** The newest modification time under `dir` of files that end with one of `suffixes`. */
function newest(dir, suffixes, skip = new Set(['node_modules', 'dist', 'test'])) {
  let latest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) {
      if (!skip.has(item.name)) latest = Math.max(latest, newest(path, suffixes, skip));
    } else if (suffixes.some((s) => item.name.endsWith(s))) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const projects = ['packages', 'examples'].flatMap((top) => readdirSync(join(ROOT, top)).map((name) => join(ROOT, top, name)));
const base = statSync(join(ROOT, 'tsconfig.base.json')).mtimeMs;
const builtAt = (dir) => (existsSync(join(dir, 'tsconfig.tsbuildinfo')) ? statSync(join(dir, 'tsconfig.tsbuildinfo')).mtimeMs : 0);
// Each project against its own tsbuildinfo: tsc -b rewrites only the projects it rebuilt, so one
// oldest-of-all stamp against the newest-of-all source would rebuild on every run after any edit.
// (A change in a dependency rebuilds its dependents through tsc -b itself once it runs.)
const built = projects.filter((dir) => existsSync(join(dir, 'tsconfig.json')));
const stale = built.filter((dir) => !(builtAt(dir) >= Math.max(newest(dir, ['.ts', '.json', '.jsonld']), base)));
if (stale.length > 0 || !existsSync(join(ROOT, entry))) {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: ROOT, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc -b leaves the tsbuildinfo of a project alone when a touched file did not change its
  // output (a checkout, a revert): stamp them, or every later run would build again
  const now = new Date();
  for (const dir of stale) if (existsSync(join(dir, 'tsconfig.tsbuildinfo'))) utimesSync(join(dir, 'tsconfig.tsbuildinfo'), now, now);
}
process.argv = [process.argv[0], join(ROOT, entry), ...args];
await import(pathToFileURL(join(ROOT, entry)).href);
