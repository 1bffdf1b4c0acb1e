// GET /rest/v1/account/my_info through the kit with the auth plugin, on DATABASE_URL.
import { auth } from '@w3kit/auth';
import { serveKit } from './kit-server.js';

await serveKit([auth()]);
