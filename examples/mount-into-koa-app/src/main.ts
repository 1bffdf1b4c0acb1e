#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createLogger, persistedDevelopmentSecret, serveUntilSignal } from '@w3kit/core';
import { createExampleKit, MOUNT_PATH } from './example-kit.js';
import { createHostApp } from './host-app.js';

/**
 * Runs the example on the embedded SQLite with development defaults: a database and a master
 * key generated into `./data` (`W3KIT_DATA_DIR`), codes logged instead of sent. A development
 * server only; `PORT` (default 3100) and `HOST` (default 127.0.0.1) say where it listens.
 */
async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 3100);
  const host = process.env['HOST'] ?? '127.0.0.1';
  const dataDir = resolve(process.env['W3KIT_DATA_DIR'] ?? 'data');
  const publicUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'info', name: 'notes' });
  const masterKey = persistedDevelopmentSecret(dataDir, 'master-key', () => randomBytes(32).toString('hex'));

  const kit = await createExampleKit({ database: `sqlite:${join(dataDir, 'identity.db')}`, logger, config: { masterKey, publicUrl } });
  const app = createHostApp({ kit });
  app.on('error', (error: unknown) => logger.error({ err: error }, 'unexpected error'));
  logger.warn({ dataDir }, 'DEVELOPMENT MODE: SQLite and a master key generated into the data folder, codes logged instead of sent. Never expose this server.');

  await serveUntilSignal(app, { port, host, logger, close: () => kit.close() });
  process.stdout.write(`listening on ${publicUrl} (the notes API at /api, w3kit at ${MOUNT_PATH})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`notes: cannot start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
