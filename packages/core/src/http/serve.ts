import { createServer, type Server } from 'node:http';
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
  /** Milliseconds a client has to send a whole request, headers and body. Default 30000 (Node's is 300000). */
  requestTimeoutMs?: number;
  /** Milliseconds a client has to send the request headers. Default 15000 (Node's is 60000). */
  headersTimeoutMs?: number;
  /** Milliseconds an idle keep-alive connection stays open. Default 5000. */
  keepAliveTimeoutMs?: number;
  /** Connections open at once; further ones are closed on arrival. Default 1000. */
  maxConnections?: number;
}

/** The defaults of the server's limits (see `ServeOptions`). */
export const SERVE_DEFAULTS = { requestTimeoutMs: 30_000, headersTimeoutMs: 15_000, keepAliveTimeoutMs: 5_000, maxConnections: 1000 } as const;

/**
 * An HTTP server for `app` whose limits bound what one slow client can hold: a body trickled
 * one byte every few seconds is cut off at `requestTimeoutMs`, a header section at
 * `headersTimeoutMs`, and at most `maxConnections` sockets are open at once. Node checks the
 * first two only every `connectionsCheckingInterval` (30 s by default), which would let a slow
 * client outlive a short timeout by that much; here it is a second or less.
 */
export function createKitServer(app: Koa, options: Pick<ServeOptions, 'requestTimeoutMs' | 'headersTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'> = {}): Server {
  const limits = {
    requestTimeoutMs: options.requestTimeoutMs ?? SERVE_DEFAULTS.requestTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? SERVE_DEFAULTS.headersTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? SERVE_DEFAULTS.keepAliveTimeoutMs,
    maxConnections: options.maxConnections ?? SERVE_DEFAULTS.maxConnections,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`serve: ${name} must be a positive integer, got ${String(value)}`);
  }
  // Node requires headersTimeout <= requestTimeout
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new TypeError('serve: headersTimeoutMs must not exceed requestTimeoutMs');
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.headersTimeoutMs / 4)),
    },
    app.callback(),
  );
  server.maxConnections = limits.maxConnections;
  return server;
}

export interface Serving {
  server: Server;
  /** The port actually bound (differs from `port` 0). */
  port: number;
}

/**
 * Listens (with the limits of `createKitServer`), then shuts down gracefully on SIGTERM or SIGINT: no new connections, idle keep-alive
 * connections closed, requests in flight finished, then `close()` (the database pool) and exit 0;
 * exit 1 when `close()` fails or requests outlast `shutdownTimeoutMs`. For the servers that own
 * their process (the standalone server, the examples); a host with its own lifecycle calls
 * `kit.close()` itself.
 */
export async function serveUntilSignal(app: Koa, options: ServeOptions): Promise<Serving> {
  const server = createKitServer(app, options);
  server.listen(options.port, options.host);
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
