import { randomBytes } from 'node:crypto';
import { createKit, createLogger, type EmailSender, type KitPlugin, type SmsSender } from '@w3kit/core';
import Koa from 'koa';
import { pino } from 'pino';
import { listen } from './listen.js';

// Production mode (as deployed) wants real senders; no benchmark sends a message.
const silentSender: SmsSender & EmailSender = { development: false, send: async () => {} };

/**
 * Serves the kit with these plugins as a benchmark server: production mode and production
 * logging, written to /dev/null so the terminal is not the bottleneck, on DATABASE_URL (default
 * an in-memory SQLite) with W3KIT_MASTER_KEY (default a fresh key).
 */
export async function serveKit(plugins: KitPlugin[]): Promise<void> {
  const kit = await createKit({
    database: process.env['DATABASE_URL'] ?? 'sqlite::memory:',
    plugins,
    logger: createLogger({ level: process.env['BENCH_LOG_LEVEL'] ?? 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
    config: { masterKey: process.env['W3KIT_MASTER_KEY'] ?? randomBytes(32).toString('hex'), publicUrl: 'http://127.0.0.1:3000', mode: 'production', housekeepingIntervalSeconds: 0 },
    services: { smsSender: silentSender, emailSender: silentSender },
  });
  const app = new Koa();
  app.use(kit.middleware());
  listen(app, () => kit.close());
}
