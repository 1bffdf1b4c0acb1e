// One instance of the mixed workload: every plugin (the standalone server's composition) on
// DATABASE_URL, SMS through the real Twilio sender pointed at the load generator's stand-in.
import { createTwilioSmsSender } from '@w3kit/core';
import { BENCH_TWILIO, mixedKitConfig, mixedPlugins } from '../lib/mixed-composition.js';
import { serveKit } from './kit-server.js';

await serveKit(mixedPlugins(process.env['ATTESTATION_SIGNER_KEY']!), {
  services: { smsSender: createTwilioSmsSender({ ...BENCH_TWILIO, baseUrl: process.env['TWILIO_BASE_URL']! }) },
  config: mixedKitConfig(Number(process.env['W3KIT_PASSWORD_HASH_COST'])),
});
