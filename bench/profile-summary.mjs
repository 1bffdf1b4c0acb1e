// Where a server's CPU profile (BENCH_CPU_PROF_DIR) spends its time: self time per package and
// per function, idle and "(program)" left out, optionally per request.
// usage: node bench/profile-summary.mjs <file.cpuprofile> [requests served] [rows, default 25]
import { readFileSync } from 'node:fs';

const [file, requestsArg, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/profile-summary.mjs <file.cpuprofile> [requests] [rows]');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const requests = Number(requestsArg ?? 0);
const rows = Number(rowsArg ?? 25);

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

/** The npm package (pnpm's store layout too), the workspace package, or Node's own code. */
function packageOf({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const npm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (npm) return npm[1];
  if (url.startsWith('node:')) return 'node:internal';
  const workspace = /packages\/([^/]+)\//.exec(url);
  return workspace ? `@w3kit/${workspace[1]}` : url.replace(/^.*\/bench\//, 'bench/');
}

const byPackage = new Map();
const byFunction = new Map();
let busy = 0;
for (const [id, micros] of selfTime) {
  const frame = nodes.get(id).callFrame;
  const pkg = packageOf(frame);
  if (pkg === '(idle)' || pkg === '(program)') continue;
  busy += micros;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  const name = `${pkg} ${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
}
const show = (micros) => (requests > 0 ? `${(micros / 1000 / requests).toFixed(4)} ms/request` : `${(micros / 1000).toFixed(0)} ms`);
const table = (title, map) => {
  console.log(`-- ${title}`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${show(micros).padStart(20)} ${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${key}`);
};
console.log(`busy (idle and "(program)" left out): ${show(busy)}`);
table('self time by package', byPackage);
table('self time by function', byFunction);
