import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit, type KitPlugin } from '@w3kit/core';
import { nft } from '@w3kit/nft';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { ServerConfig } from './env-config.js';

/** Every plugin of the kit, with the standalone server's options. Later plugins join here. */
export function standalonePlugins(config: ServerConfig): KitPlugin[] {
  return [auth({ dnsServers: config.dnsServers }), nft()];
}

export interface StandaloneServer {
  app: Koa;
  kit: Kit;
  logger: Logger;
}

/** Builds the kit and the Koa app of the standalone server (without listening). */
export async function createStandaloneServer(config: ServerConfig, options: { migrations?: 'run' | 'check' | 'skip' } = {}): Promise<StandaloneServer> {
  const logger = createLogger({ level: config.logLevel, name: 'w3kit' });
  const kit = await createKit({
    database: config.databaseUrl,
    plugins: standalonePlugins(config),
    logger,
    config: {
      mode: config.mode,
      publicUrl: config.publicUrl,
      masterKey: config.masterKey,
      previousMasterKeys: config.previousMasterKeys,
      migrations: options.migrations ?? 'run',
    },
  });
  const app = new Koa({ proxy: config.mode === 'production' });
  // The kit already logs every error with its request id; keep Koa's default stderr dump quiet.
  app.silent = true;
  app.use(kit.middleware());
  return { app, kit, logger };
}
