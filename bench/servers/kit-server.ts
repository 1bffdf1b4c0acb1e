import { randomBytes } from 'node:crypto';
import { createKit, createLogger, type CreateKitOptions, type EmailSender, type KitConfigInput, type KitPlugin, type SmsSender } from '@w3kit/core';
import Koa from 'koa';
import { listen } from './listen.js';

// Production mode (as deployed) wants real senders; no benchmark sends a message unless it says so.
const silentSender: SmsSender & EmailSender = { development: false, send: async () => {} };

export interface ServeKitOptions {
  /** Services replacing the silent senders (e.g. a real Twilio sender pointed at a stand-in). */
  services?: CreateKitOptions['services'];
  /** Kit configuration beyond the benchmark defaults (hash cost, rate-limit overrides…). */
  config?: Omit<Partial<KitConfigInput>, 'masterKey'>;
}

/**
 * Serves the kit with these plugins as a benchmark server: production mode and production
 * logging (the default buffered destination), written to /dev/null so the terminal is not the bottleneck, on DATABASE_URL (default
 * an in-memory SQLite) with W3KIT_MASTER_KEY (default a fresh key).
 */
export async function serveKit(plugins: KitPlugin[], options: ServeKitOptions = {}): Promise<void> {
  const kit = await createKit({
    database: process.env['DATABASE_URL'] ?? 'sqlite::memory:',
    plugins,
    // the production default destination (buffered, see createLogger), pointed at /dev/null
    logger: createLogger({ level: process.env['BENCH_LOG_LEVEL'] ?? 'info', destination: '/dev/null' }),
    config: {
      masterKey: process.env['W3KIT_MASTER_KEY'] ?? randomBytes(32).toString('hex'),
      publicUrl: 'http://127.0.0.1:3000',
      mode: 'production',
      housekeepingIntervalSeconds: 0,
      ...options.config,
    },
    services: { smsSender: silentSender, emailSender: silentSender, ...options.services },
  });
  const app = new Koa();
  app.use(kit.middleware());
  listen(app, () => kit.close());
}
