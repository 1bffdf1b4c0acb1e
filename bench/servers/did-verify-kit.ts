// POST /v2/did/verify-vc through the kit (auth + did plugins), production logging to /dev/null.
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { did } from '@w3kit/did';
import Koa from 'koa';
import { pino } from 'pino';
import { listen } from './listen.js';

const kit = await createKit({
  database: process.env['DATABASE_URL']!,
  plugins: [auth(), did()],
  logger: createLogger({ level: process.env['BENCH_LOG_LEVEL'] ?? 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
  config: { masterKey: process.env['W3KIT_MASTER_KEY']!, publicUrl: 'http://127.0.0.1:3000', mode: 'production', housekeepingIntervalSeconds: 0 },
  // Production mode (as deployed) wants a real SMS sender; this benchmark never sends one.
  services: { smsSender: { development: false, send: async () => {} } },
});
const app = new Koa();
app.use(kit.middleware());
listen(app, () => kit.close());
