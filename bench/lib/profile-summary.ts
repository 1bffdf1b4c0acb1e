// Self time per function of V8 CPU profiles (`BENCH_CPU_PROF_DIR`'s .cpuprofile files): the top
// functions and the share of (garbage collector), (idle) left out of the total, so two builds'
// profiles compare at a glance. Usage:
// node --import tsx bench/lib/profile-summary.ts <file|dir>… [--top N] [--skip S (leave out the first S seconds: start-up, warm-up)]
//   [--requests N (served in what is left: adds µs per request)]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const filesOf = (path: string): string[] =>
  statSync(path).isDirectory()
    ? readdirSync(path, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(path, f))
    : [path];

const fileOf = (url: string) => url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^file:\/\/.*\/(packages|bench)\//, '$1/');

/** Where a function lives: its npm package, `packages/<name>`, `node` (Node's own JS), or `(native)` (no script: syscalls, V8 builtins). */
function ownerOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node';
  const file = fileOf(url);
  if (file === url) return 'other';
  const parts = file.split('/');
  return parts[0]!.startsWith('@') || parts[0] === 'packages' ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Microseconds of self time per function (name, file, line) and per owner, over every sample of the profile. */
function selfTimes(profile: CpuProfile, skipUs: number): { functions: Map<string, number>; owners: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < skipUs) return;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${fileOf(url)}:${lineNumber + 1}` : ''}`.trim();
    const us = profile.timeDeltas[i] ?? 0;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const owner = functionName.startsWith('(') ? functionName : ownerOf(url);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
  });
  return { functions, owners };
}

function summarize(file: string, top: number, requests: number | undefined, skipUs: number): void {
  const { functions: times, owners } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, skipUs);
  owners.delete('(idle)');
  const idle = times.get('(idle)') ?? 0;
  times.delete('(idle)');
  const busy = [...times.values()].reduce((a, b) => a + b, 0);
  const gc = times.get('(garbage collector)') ?? 0;
  // with --requests: microseconds per request beside each share (the profile's samples are wall-clock time on the thread)
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %${requests ? ` ${(us / requests).toFixed(2).padStart(6)} µs/req` : ''}`;
  console.log(`\n${file}\n  busy ${(busy / 1e6).toFixed(2)} s (idle ${(idle / 1e6).toFixed(2)} s), GC ${pct(gc)}`);
  console.log('  by owner:');
  for (const [name, us] of [...owners.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(us)}  ${name}`);
  console.log('  by function:');
  for (const [name, us] of [...times.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
const requestsAt = args.indexOf('--requests');
const requests = requestsAt >= 0 ? Number(args.splice(requestsAt, 2)[1]) : undefined;
const skipAt = args.indexOf('--skip');
const skipUs = skipAt >= 0 ? Number(args.splice(skipAt, 2)[1]) * 1e6 : 0;
for (const path of args) for (const file of filesOf(path)) summarize(file, top, requests, skipUs);
