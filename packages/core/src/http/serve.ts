import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';

export interface ServeOptions {
  port: number;
  host: string;
  logger: Logger;
  /** Runs after the server stopped accepting and its requests finished: close the kit, the host's own resources. */
  close(): Promise<void>;
  /** Milliseconds in-flight requests get to finish before the process exits anyway. Default 10000. */
  shutdownTimeoutMs?: number;
}

export interface Serving {
  server: Server;
  /** The port actually bound (differs from `port` 0). */
  port: number;
}

/**
 * Listens, then shuts down gracefully on SIGTERM or SIGINT: no new connections, idle keep-alive
 * connections closed, requests in flight finished, then `close()` (the database pool) and exit 0;
 * exit 1 when `close()` fails or requests outlast `shutdownTimeoutMs`. For the servers that own
 * their process (the standalone server, the examples); a host with its own lifecycle calls
 * `kit.close()` itself.
 */
export async function serveUntilSignal(app: Koa, options: ServeOptions): Promise<Serving> {
  const server = app.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    server.close(() => {
      options.close().then(
        () => process.exit(0),
        (error: unknown) => {
          options.logger.error({ err: error }, 'shutdown: closing failed');
          process.exit(1);
        },
      );
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), options.shutdownTimeoutMs ?? 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return { server, port: (server.address() as AddressInfo).port };
}
