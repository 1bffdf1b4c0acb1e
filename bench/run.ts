// `pnpm bench [name …]`: runs the named benchmarks (default: all *.bench.ts here) one after
// another and prints a summary. Settings: BENCH_CONNECTIONS (16), BENCH_DURATION (5 s), BENCH_ROUNDS (3).
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const name of wanted.length > 0 ? wanted : available) {
  const run = (await import(pathToFileURL(`${dir}/${name}.bench.ts`).href)).default as () => Promise<{ met?: boolean }>;
  const result = await run();
  if (result.met === false) failed = true;
}
process.exit(failed ? 1 : 0);
