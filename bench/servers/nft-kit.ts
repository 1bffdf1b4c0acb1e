// The kit with auth and nft on DATABASE_URL, production settings, logs to /dev/null.
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { nft } from '@w3kit/nft';
import Koa from 'koa';
import { pino } from 'pino';
import { listen } from './listen.js';

const kit = await createKit({
  database: process.env['DATABASE_URL']!,
  plugins: [auth(), nft()],
  logger: createLogger({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
  config: { masterKey: process.env['W3KIT_MASTER_KEY']!, publicUrl: 'http://127.0.0.1:3000', mode: 'production', housekeepingIntervalSeconds: 0 },
  // Production mode wants a real SMS sender; this benchmark never sends one.
  services: { smsSender: { development: false, send: async () => {} } },
});
const app = new Koa();
app.use(kit.middleware());
listen(app, () => kit.close());
