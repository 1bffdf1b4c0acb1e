// The kit with no plugin: GET /healthz goes through the whole per-route stack (request id,
// error boundary, access log line, wire format).
import { serveKit } from './kit-server.js';

await serveKit([]);
