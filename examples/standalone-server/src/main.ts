#!/usr/bin/env node
import { serveUntilSignal } from '@w3kit/core';
import { EnvConfigError, loadServerConfig } from './env-config.js';
import { developmentBanner } from './dev/pretty-log.js';
import { createStandaloneServer } from './server.js';

async function main(): Promise<void> {
  const config = loadServerConfig();
  const { app, kit, logger } = await createStandaloneServer(config);
  if (config.mode !== 'production' && config.developmentDefaults.length > 0) {
    if (config.logFormat === 'pretty') process.stderr.write(developmentBanner(config.developmentDefaults, { base: config.publicUrl }));
    logger.warn(
      { developmentDefaults: config.developmentDefaults },
      'DEVELOPMENT MODE: running on development defaults (generated keys, codes logged instead of sent). Never expose this server; set NODE_ENV=production with real settings for production.',
    );
  }
  if (config.mode === 'production' && config.allowHttpPublicUrl && config.publicUrl.startsWith('http:')) {
    logger.warn({ publicUrl: config.publicUrl }, 'W3KIT_ALLOW_HTTP_PUBLIC_URL=1: production with an http: PUBLIC_URL; only safe when a TLS-terminating proxy on this host serves it over https');
  }
  const { port } = await serveUntilSignal(app, { port: config.port, host: config.host, logger, close: () => kit.close(), ...config.http });
  const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ port, database: kit.services.database.displayUrl, mode: config.mode }, 'w3kit standalone server started');
  process.stdout.write(`listening on http://${shown}:${port}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof EnvConfigError || (error as Error).name === 'KitConfigError' || error instanceof TypeError) {
    process.stderr.write(`w3kit: cannot start: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`w3kit: cannot start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
