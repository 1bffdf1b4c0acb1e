#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createLogger, persistedDevelopmentSecret, serveUntilSignal } from '@w3kit/core';
import Koa from 'koa';
import { openHostDatabase } from './host-database.js';
import { createHostKit } from './host-kit.js';

/**
 * Runs auth + nft with NFTs in the host's own database, on development defaults: in
 * `W3KIT_DATA_DIR` (default `./data`) the host's `host.db`, the kit's `kit.db` and a generated
 * master key; codes are logged instead of sent. `PORT` (3200) and `HOST` (127.0.0.1) say where
 * it listens. A development server only.
 */
async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 3200);
  const host = process.env['HOST'] ?? '127.0.0.1';
  const dataDir = resolve(process.env['W3KIT_DATA_DIR'] ?? 'data');
  const publicUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'info', name: 'custom-storage' });
  const masterKey = persistedDevelopmentSecret(dataDir, 'master-key', () => randomBytes(32).toString('hex'));

  const hostDatabase = openHostDatabase(join(dataDir, 'host.db'));
  const kit = await createHostKit({ hostDatabase, database: `sqlite:${join(dataDir, 'kit.db')}`, logger, config: { masterKey, publicUrl } });
  const app = new Koa();
  app.silent = true; // the kit logs its errors with the request id
  app.use(kit.middleware());
  logger.warn({ dataDir }, 'DEVELOPMENT MODE: SQLite and a master key generated into the data folder, codes logged instead of sent. Never expose this server.');

  const serving = await serveUntilSignal(app, {
    port,
    host,
    logger,
    close: async () => {
      await kit.close();
      hostDatabase.close();
    },
  });
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  process.stdout.write(`listening on http://${shown}:${serving.port} (NFTs in ${join(dataDir, 'host.db')}, table credentials)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`custom-storage: cannot start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
