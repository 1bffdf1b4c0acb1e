/**
 * Standalone server processes for the multi-instance and fault tests: spawn
 * `examples/standalone-server/dist/main.js` (built by `tsc -b`) as `pnpm start` does, wait for its
 * `listening on http://…` line, stop it with SIGTERM. Every process started here is tracked, so an
 * `after` hook can stop them all even when a test failed half-way, and a last-resort exit hook
 * kills any that are left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onHosts } from '../scripts/galera.mjs';

export const STANDALONE_MAIN = fileURLToPath(new URL('../examples/standalone-server/dist/main.js', import.meta.url));

export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, as the server printed it. */
  url: string;
  /** In the galera group: the index of the cluster node this process prefers (its host list starts there). */
  galeraNode?: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); removes its data folder. Returns the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const running = new Set<ServerProcess>();
let started = 0;

/**
 * In the galera group (W3KIT_GALERA_HOSTS set by the test command) a mysql DATABASE_URL is
 * rewritten to the cluster's host list, rotated so that each process started prefers the next
 * node: two or three processes run on different nodes, and fail over to the others.
 */
function onGalera(env: Record<string, string>): { env: Record<string, string>; node?: number } {
  const hosts = process.env['W3KIT_GALERA_HOSTS']?.split(',');
  const url = env['DATABASE_URL'];
  if (!hosts || !url?.startsWith('mysql://')) return { env };
  const node = started++ % hosts.length;
  return { env: { ...env, DATABASE_URL: onHosts(url, hosts, node) }, node };
}

process.once('exit', () => {
  for (const server of running) server.child.kill('SIGKILL');
});

/**
 * The settings every instance of one deployment shares: the database, the master key, the
 * attestation signer key and the public URL (the load balancer's, so tokens issued by one
 * instance carry the issuer the others expect).
 */
export function deploymentEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    W3KIT_MASTER_KEY: randomBytes(32).toString('hex'),
    ATTESTATION_SIGNER_KEY: `0x${randomBytes(32).toString('hex')}`,
    PUBLIC_URL: 'http://127.0.0.1:8080',
    ...extra,
  };
}

/**
 * Starts one server with `env` (plus PORT=0, LOG_LEVEL=warn and its own temporary
 * W3KIT_DATA_DIR unless given) and resolves once it prints its listening line. Nothing else
 * of the test process's environment is passed on.
 */
export async function startServerProcess(env: Record<string, string>, { timeoutMs = 30_000 } = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'w3kit-instance-'));
  const galera = onGalera(env);
  const child = spawn(process.execPath, [STANDALONE_MAIN], {
    env: { PATH: process.env['PATH'], PORT: '0', LOG_LEVEL: 'warn', W3KIT_DATA_DIR: dataDir, ...galera.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let server: ServerProcess | undefined;
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    if (server) running.delete(server);
    rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const seen = () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout.on('data', seen);
      void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
      timer = setTimeout(() => reject(new Error(`server did not print its listening line within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    });
    server = { url, child, output: () => output, exited, stop, ...(galera.node === undefined ? {} : { galeraNode: galera.node }) };
    running.add(server);
    return server;
  } catch (error) {
    await stop(1000);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops every server this module started and has not stopped yet (for `after` hooks). */
export async function stopAllServerProcesses(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * Sends one complete HTTP/1.1 request on a fresh connection and destroys the socket as soon as
 * the request is written, before any response is read: a client whose connection dropped.
 */
export async function sendAndHangUp(baseUrl: string, request: { method: string; path: string; headers?: Record<string, string>; body?: unknown }): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  const headers = {
    host: `${hostname}:${port}`,
    connection: 'close',
    ...(request.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    ...request.headers,
  };
  const head = `${request.method} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head + body, (error) => {
        socket.destroy();
        if (error) reject(error);
        else resolve();
      });
    });
    socket.once('error', reject);
  });
}

/** Resolves true once a TCP connection to the server's port is refused (false if still accepted after `withinMs`). */
export async function connectionsRefused(baseUrl: string, withinMs = 5000): Promise<boolean> {
  const { hostname, port } = new URL(baseUrl);
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
