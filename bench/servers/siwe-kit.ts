// POST /v2/auth/siwe/verify through the kit (auth + siwe plugins), on DATABASE_URL, whose pool of
// nonces bench/siwe.bench.ts issued before the run.
import { auth } from '@w3kit/auth';
import { siwe } from '@w3kit/siwe';
import { serveKit } from './kit-server.js';
import { SIWE_BENCH } from './siwe-setup.js';

// One load generator on one IP, one signing address, about a thousand sign-ins a second: far past
// the per-IP and per-address rules, which are not what this measures. The rules stay on, with
// limits the run never reaches, so their counting is part of the measured path.
const unreachable = { limit: 1_000_000_000, windowSeconds: 60 };
await serveKit([auth(), siwe(SIWE_BENCH.options)], {
  config: { rateLimits: { 'siwe.verify': unreachable, 'siwe.verify.address': unreachable, 'siwe.nonce': unreachable } },
});
