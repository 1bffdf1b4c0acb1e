import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit, type KitConfigInput } from '@w3kit/core';
import { siwe, type SiweChain } from '@w3kit/siwe';
import Koa from 'koa';

const PUBLIC = new URL('../public/', import.meta.url);
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

export interface DappServerOptions {
  databaseUrl: string;
  /** The chains the dapp accepts sign-ins on, with their RPC endpoints for smart-contract wallets. */
  chains: SiweChain[];
  port?: number;
  host?: string;
  /** Kit configuration beside the public URL: the master key, mode… */
  config: Omit<KitConfigInput, 'publicUrl'>;
}

export interface DappServer {
  url: string;
  kit: Kit;
  close(): Promise<void>;
}

/**
 * The dapp's origin serves its static page and, on the same origin (no CORS needed), the kit with
 * auth and siwe: the page's origin is the one allowed origin, and new addresses sign up.
 */
export async function startDappServer(options: DappServerOptions): Promise<DappServer> {
  const app = new Koa();
  app.silent = true;
  let kit: Kit | undefined;
  app.use(async (ctx, next) => {
    const asset = ctx.method === 'GET' ? FILES[ctx.path] : undefined;
    if (!asset) return kit!.middleware()(ctx, next) as Promise<void>;
    ctx.type = asset.type;
    ctx.set('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'");
    ctx.body = await readFile(new URL(asset.file, PUBLIC));
  });
  const server: Server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  kit = await createKit({
    database: options.databaseUrl,
    plugins: [auth(), siwe({ allowedOrigins: [url], chains: options.chains, signUp: true })],
    logger: createLogger({ level: 'silent' }),
    config: { publicUrl: url, ...options.config },
  });
  return {
    url,
    kit,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await kit.close();
    },
  };
}
