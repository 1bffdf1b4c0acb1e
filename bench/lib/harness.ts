// The benchmark harness: starts the kit's server and a baseline server as child processes
// (so neither shares an event loop with the load generator), drives each with autocannon
// using the same connections and duration, alternating rounds in one run, and reports
// requests per second, p50/p99 latency and the kit/baseline ratio. Results go to
// bench/results/<name>.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSeconds } from './cpu-time.js';

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerSpec {
  /** Script under bench/servers, run with tsx; it must print `listening on http://…`. */
  script: string;
  env?: Record<string, string>;
}

export interface RequestSpec {
  method?: 'GET' | 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A new body for every request (e.g. a different single-use code each time); overrides `body`. */
  nextBody?: () => string;
  /** A new path and body for every request (a single-use URL each time); overrides `path` and `body` after the first. */
  nextRequest?: () => { path: string; body: string };
}

export interface Measurement {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU (user + system) the server process used per request, in ms, when /proc tells. */
  cpuMsPerRequest?: number;
}

export interface Comparison {
  name: string;
  connections: number;
  durationSeconds: number;
  rounds: number;
  kit: Measurement;
  baseline: Measurement;
  /** kit requests/s ÷ baseline requests/s (medians over the rounds). */
  ratio: number;
  /**
   * Baseline CPU per request ÷ kit CPU per request (medians): the same ratio by the servers' CPU
   * cost instead of wall-clock throughput, which on a machine loaded by other work moves far
   * less from run to run (the load generator and the scheduler drop out).
   */
  cpuRatio?: number;
  target?: number;
  met?: boolean;
  when: string;
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  // BENCH_CPU_PROF_DIR: each server writes a V8 CPU profile there when it stops (where the time goes)
  const profile = process.env['BENCH_CPU_PROF_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env['BENCH_CPU_PROF_DIR'], spec.script)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(BENCH_DIR, 'servers', spec.script)], {
    env: { ...process.env, PORT: '0', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((ok, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) ok(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c));
    child.once('exit', (code) => fail(new Error(`${spec.script} exited with ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

export async function measure(url: string, request: RequestSpec, connections: number, durationSeconds: number, pid?: number): Promise<Measurement> {
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: `${url}${request.path}`,
    method: request.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.nextBody === undefined ? {} : { requests: [{ setupRequest: (req: object) => ({ ...req, body: request.nextBody!() }) }] }),
    ...(request.nextRequest === undefined ? {} : { requests: [{ setupRequest: (req: object) => ({ ...req, ...request.nextRequest!() }) }] }),
    connections,
    duration: durationSeconds,
  });
  const cpuAfter = cpuSeconds(pid);
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0 ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total : undefined;
  return {
    ...(cpu === undefined ? {} : { cpuMsPerRequest: Math.round(cpu * 10000) / 10000 }),
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function medianMeasurement(runs: Measurement[]): Measurement {
  const cpu = runs.map((r) => r.cpuMsPerRequest).filter((c): c is number => c !== undefined);
  return {
    ...(cpu.length === runs.length ? { cpuMsPerRequest: median(cpu) } : {}),
    requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
    latencyP50Ms: median(runs.map((r) => r.latencyP50Ms)),
    latencyP99Ms: median(runs.map((r) => r.latencyP99Ms)),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
  };
}

export interface CompareOptions {
  name: string;
  kit: ServerSpec & { request: RequestSpec };
  baseline: ServerSpec & { request: RequestSpec };
  connections?: number;
  durationSeconds?: number;
  /** Alternating kit/baseline rounds; the medians are compared. Default 3. */
  rounds?: number;
  /** The ratio the issue asks for (e.g. 0.85); reported, and `met` says whether it was reached. */
  target?: number;
}

/** Runs one comparison and writes bench/results/<name>.json. */
export async function compare(options: CompareOptions): Promise<Comparison> {
  const connections = options.connections ?? Number(process.env['BENCH_CONNECTIONS'] ?? 16);
  const durationSeconds = options.durationSeconds ?? Number(process.env['BENCH_DURATION'] ?? 5);
  const rounds = options.rounds ?? Number(process.env['BENCH_ROUNDS'] ?? 3);
  const kit = await startServer(options.kit);
  const baseline = await startServer(options.baseline);
  const kitRuns: Measurement[] = [];
  const baseRuns: Measurement[] = [];
  try {
    // warm up both (JIT, connection pools, SQLite page cache)
    await measure(kit.url, options.kit.request, connections, 1);
    await measure(baseline.url, options.baseline.request, connections, 1);
    for (let round = 0; round < rounds; round++) {
      kitRuns.push(await measure(kit.url, options.kit.request, connections, durationSeconds, kit.child.pid));
      baseRuns.push(await measure(baseline.url, options.baseline.request, connections, durationSeconds, baseline.child.pid));
    }
  } finally {
    await Promise.all([kit.stop(), baseline.stop()]);
  }
  const kitM = medianMeasurement(kitRuns);
  const baseM = medianMeasurement(baseRuns);
  const ratio = Math.round((kitM.requestsPerSecond / baseM.requestsPerSecond) * 1000) / 1000;
  const cpuRatio = kitM.cpuMsPerRequest && baseM.cpuMsPerRequest ? Math.round((baseM.cpuMsPerRequest / kitM.cpuMsPerRequest) * 1000) / 1000 : undefined;
  const comparison: Comparison = {
    name: options.name,
    connections,
    durationSeconds,
    rounds,
    kit: kitM,
    baseline: baseM,
    ratio,
    ...(cpuRatio === undefined ? {} : { cpuRatio }),
    ...(options.target === undefined ? {} : { target: options.target, met: ratio >= options.target }),
    when: new Date().toISOString(),
  };
  report(comparison);
  return comparison;
}

export function report(c: Comparison): void {
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${c.name}.json`), `${JSON.stringify(c, null, 2)}\n`);
  const row = (label: string, m: Measurement) =>
    `  ${label.padEnd(9)} ${String(m.requestsPerSecond).padStart(8)} req/s   p50 ${String(m.latencyP50Ms).padStart(4)} ms   p99 ${String(m.latencyP99Ms).padStart(4)} ms   errors ${m.errors}   non-2xx ${m.non2xx}${m.cpuMsPerRequest === undefined ? '' : `   CPU ${m.cpuMsPerRequest} ms/request`}`;
  console.log(`\n${c.name} (${c.connections} connections, ${c.rounds}×${c.durationSeconds} s each)`);
  console.log(row('kit', c.kit));
  console.log(row('baseline', c.baseline));
  console.log(`  ratio kit/baseline: ${c.ratio}${c.target === undefined ? '' : ` (target ≥ ${c.target}: ${c.met ? 'met' : 'NOT MET'})`}`);
  if (c.cpuRatio !== undefined) console.log(`  by CPU per request (baseline/kit): ${c.cpuRatio}${c.target === undefined ? '' : ` (${c.cpuRatio >= c.target ? 'at' : 'below'} the target)`}`);
  if (c.kit.errors + c.kit.non2xx + c.baseline.errors + c.baseline.non2xx > 0) console.log('  WARNING: errors or non-2xx responses during the run');
}
