import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** A local EVM (Foundry's anvil) for tests: a real chain on a loopback port. */
export interface Anvil {
  /** JSON-RPC URL, `http://127.0.0.1:<port>`. */
  url: string;
  chainId: number;
  /** Sends one JSON-RPC call (e.g. `evm_snapshot`, `evm_mine`) and returns its result. */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Stops the node (SIGTERM, then SIGKILL). Its state is gone with it. */
  stop(): Promise<void>;
}

export interface AnvilOptions {
  /** Default 31337 (anvil's own). */
  chainId?: number;
  /** Extra command-line arguments (e.g. `['--block-time', '1']`). */
  args?: string[];
  /** A fixed loopback port (a node restarted where its clients expect it); default a free one. */
  port?: number;
}

/**
 * The anvil binary that `@foundry-rs/anvil` ships for this platform, in its platform package
 * (`@foundry-rs/anvil-linux-amd64`, …): installing from the npm registry brings it, nothing is
 * downloaded. Throws when the package is not installed.
 */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const wrapper = createRequire(require.resolve('@foundry-rs/anvil/package.json'));
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  return join(dirname(wrapper.resolve(`${platformPackage}/package.json`)), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
    server.on('error', reject);
  });

/** Starts anvil on a free loopback port and resolves once it answers JSON-RPC. */
export async function startAnvil({ chainId = 31337, args = [], port: fixedPort }: AnvilOptions = {}): Promise<Anvil> {
  const port = fixedPort ?? (await freePort());
  const child: ChildProcess = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  let id = 0;
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`anvil ${method}: ${body.error.message}`);
    return body.result as T;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited (${child.exitCode}): ${stderr}`);
    try {
      await rpc('eth_chainId');
      return { url, chainId, rpc, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`anvil did not answer on ${url} in 15 s: ${stderr || (error as Error).message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
