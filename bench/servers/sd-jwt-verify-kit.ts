// POST /oid4vp/responses/:id (direct_post) through the kit (auth + a stand-in issuer + oid4vp),
// on DATABASE_URL, whose pool of fetched requests bench/sd-jwt-verify.bench.ts made before the run.
import { auth } from '@w3kit/auth';
import { oid4vp } from '@w3kit/oid4vp';
import { serveKit } from './kit-server.js';
import { benchIssuerPlugin, benchKeysFromEnv, SD_JWT_BENCH } from './sd-jwt-verify-setup.js';

// one load generator on one IP answering far more often than a wallet would: the rule stays on
// with a limit the run never reaches, so its counting is part of the measured path
const unreachable = { limit: 1_000_000_000, windowSeconds: 60 };
// BENCH_OID4VP_WORKERS: the plugin's presentationWorkers (default: its own, one per core but one)
const workers = process.env['BENCH_OID4VP_WORKERS'];
const options = { ...SD_JWT_BENCH.oid4vpOptions, ...(workers === undefined ? {} : { presentationWorkers: Number(workers) }) };
await serveKit([auth(), benchIssuerPlugin(benchKeysFromEnv()), oid4vp(options)], {
  config: { publicUrl: SD_JWT_BENCH.publicUrl, rateLimits: { 'oid4vp.response': unreachable } },
});
