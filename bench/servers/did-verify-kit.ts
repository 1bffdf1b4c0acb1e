// POST /v2/did/verify-vc through the kit (auth + did plugins), on DATABASE_URL.
import { auth } from '@w3kit/auth';
import { did } from '@w3kit/did';
import { serveKit } from './kit-server.js';

// The benchmark posts from one IP at about a thousand requests a second, far past the per-IP
// `did.verify` limit: it measures the verification path, so that limit is off here.
await serveKit([auth(), did({ verifyRateLimit: false })]);
