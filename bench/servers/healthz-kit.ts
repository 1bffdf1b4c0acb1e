// The kit with no plugin: GET /healthz goes through the whole per-route stack (request id,
// awilix scope, child logger, error boundary, access log line, wire format).
import { randomBytes } from 'node:crypto';
import { createKit, createLogger } from '@w3kit/core';
import Koa from 'koa';
import { pino } from 'pino';
import { listen } from './listen.js';

const kit = await createKit({
  database: 'sqlite::memory:',
  // Logs are written, as in production, but to /dev/null so the terminal is not the bottleneck.
  logger: createLogger({ level: process.env['BENCH_LOG_LEVEL'] ?? 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
  config: { masterKey: randomBytes(32).toString('hex'), mode: 'production', housekeepingIntervalSeconds: 0 },
});
const app = new Koa();
app.use(kit.middleware());
listen(app, () => kit.close());
