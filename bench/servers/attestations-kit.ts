// POST /api/attestations/phone/verify through the kit with the attestations plugin, on DATABASE_URL,
// whose pool of codes bench/attestations.bench.ts issued before the run.
import { attestations } from '@w3kit/attestations';
import { createKit, createLogger, type EmailSender, type SmsSender } from '@w3kit/core';
import Koa from 'koa';
import { pino } from 'pino';
import { listen } from './listen.js';

// Production mode (as deployed) wants real senders; verifying a code sends nothing.
const silentSender: SmsSender & EmailSender = { development: false, send: async () => {} };

const kit = await createKit({
  database: process.env['DATABASE_URL']!,
  plugins: [attestations({ signerKey: process.env['ATTESTATION_SIGNER_KEY']! })],
  logger: createLogger({ level: process.env['BENCH_LOG_LEVEL'] ?? 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
  config: { masterKey: process.env['W3KIT_MASTER_KEY']!, publicUrl: 'http://127.0.0.1:3000', mode: 'production', housekeepingIntervalSeconds: 0 },
  services: { smsSender: silentSender, emailSender: silentSender },
});
const app = new Koa();
app.use(kit.middleware());
listen(app, () => kit.close());
