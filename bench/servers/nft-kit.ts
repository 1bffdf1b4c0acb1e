// The kit with auth and nft on DATABASE_URL.
import { auth } from '@w3kit/auth';
import { nft } from '@w3kit/nft';
import { serveKit } from './kit-server.js';

await serveKit([auth(), nft()]);
