// POST /v2/auth/auth-user through the kit (auth plugin) on DATABASE_URL, production mode and
// production-cost scrypt. The per-IP and per-account login limits are raised so a flood from one
// address reaches the hashing queue and the user can log in as often as the benchmark asks. BENCH_HASH_QUEUE=off makes the queue wide and deep enough never to act:
// the kit as it was before the queue, with libuv's pool as the only bound.
import { auth } from '@w3kit/auth';
import { serveKit } from './kit-server.js';

const queueOff = process.env['BENCH_HASH_QUEUE'] === 'off';
await serveKit([auth()], {
  config: {
    // the user logs in again and again: the per-account budget (10 per 10 minutes) is not measured here
    rateLimits: { 'auth.login.ip': { limit: 1_000_000, windowSeconds: 60 }, 'auth.login': { limit: 1_000_000, windowSeconds: 600 } },
    ...(queueOff ? { passwordHashConcurrency: 64, passwordHashQueueLimit: 100_000 } : {}),
  },
});
