import { spawn } from 'node:child_process';
import { request } from 'node:http';

export interface TimedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** From sending the request to the end of the response. */
  ms: number;
}

/** POSTs `body` as JSON from the loopback address `localAddress` (its client IP) on a fresh connection, timed. */
export function postFrom(localAddress: string, url: string, body: unknown): Promise<TimedAnswer> {
  const began = performance.now();
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    const req = request(url, { method: 'POST', localAddress, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Record<string, unknown>, ms: performance.now() - began }));
    });
    req.once('error', reject);
    req.end(payload);
  });
}

export interface LoginFloodOptions {
  /** The server, `http://127.0.0.1:<port>`. */
  url: string;
  /** Path of the Finenex password login. Default `/v2/auth/auth-user`. */
  path?: string;
  /** The loopback address the flood connects from (its client IP). Default 127.0.0.1. */
  localAddress?: string;
  /** Loops sending one try after another. Default 40. */
  concurrency?: number;
  /** Upper bounds whatever happens to the caller: tries per loop (default 2000) and seconds (default 60). */
  maxTriesPerLoop?: number;
  maxSeconds?: number;
}

export interface LoginFloodSummary {
  /** Answers by status code (`error` for a failed connection). */
  statuses: Record<string, number>;
  /** The first 20 answers with status 503: their retry-after header and body. */
  shed: { retryAfter: string | undefined; body: Record<string, unknown> }[];
  seconds: number;
}

export interface LoginFlood {
  /** Resolves once the flood's loops are running. */
  started: Promise<void>;
  /** Ends the loops (each finishes its try in flight) and sums them up; the same summary on every call. */
  stop(): Promise<LoginFloodSummary>;
}

// Runs in its own process, as an attacker's would: its loops must not share the event loop of
// the server or of a legitimate client being measured. Every try names another unknown id, so
// no per-login budget stops it; each opens a fresh connection.
const FLOOD_SCRIPT = `
import http from 'node:http';
const { url, path, localAddress, concurrency, maxTriesPerLoop, maxSeconds } = JSON.parse(process.argv[1]);
const statuses = {};
const shed = [];
let flooding = true;
process.stdin.on('end', () => (flooding = false)).resume();
let n = 0;
const once = () => new Promise((resolve) => {
  const payload = JSON.stringify({ id: 'flood-' + process.pid + '-' + n++, password: 'guess' });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
  const req = http.request(url + path, { method: 'POST', localAddress, agent: false, headers }, (res) => {
    let text = '';
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => {
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 503 && shed.length < 20) shed.push({ retryAfter: res.headers['retry-after'], body: JSON.parse(text) });
      resolve();
    });
  });
  req.on('error', () => ((statuses.error = (statuses.error ?? 0) + 1), resolve()));
  req.end(payload);
});
const began = Date.now();
const deadline = began + maxSeconds * 1000;
const loop = async () => {
  for (let i = 0; flooding && i < maxTriesPerLoop && Date.now() < deadline; i++) await once();
};
process.stdout.write('started\\n');
await Promise.all(Array.from({ length: concurrency }, loop));
process.stdout.write(JSON.stringify({ statuses, shed, seconds: (Date.now() - began) / 1000 }) + '\\n');
`;

/**
 * Starts a flood of password logins for unknown ids against `url` from a child process (for
 * the hashing-queue test and the login-flood benchmark). Bounded in tries and time.
 */
export function startLoginFlood(options: LoginFloodOptions): LoginFlood {
  const settings = {
    url: options.url,
    path: options.path ?? '/v2/auth/auth-user',
    localAddress: options.localAddress ?? '127.0.0.1',
    concurrency: options.concurrency ?? 40,
    maxTriesPerLoop: options.maxTriesPerLoop ?? 2000,
    maxSeconds: options.maxSeconds ?? 60,
  };
  const child = spawn(process.execPath, ['--input-type=module', '-e', FLOOD_SCRIPT, JSON.stringify(settings)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('started\n')) resolve();
    });
    void exited.then(() => reject(new Error(`the login flood exited before it started: ${output}`)));
  });
  let stopped: Promise<LoginFloodSummary> | undefined;
  return {
    started,
    stop: () =>
      (stopped ??= (async () => {
        child.stdin.end();
        await exited;
        return JSON.parse(output.slice(output.indexOf('\n') + 1)) as LoginFloodSummary;
      })()),
  };
}
