// POST /v2/did/verify-vc through the kit (auth + did plugins), on DATABASE_URL.
import { auth } from '@w3kit/auth';
import { did } from '@w3kit/did';
import { serveKit } from './kit-server.js';

await serveKit([auth(), did()]);
