// POST /api/attestations/phone/verify through the kit with the attestations plugin, on DATABASE_URL,
// whose pool of codes bench/attestations.bench.ts issued before the run.
import { attestations } from '@w3kit/attestations';
import { serveKit } from './kit-server.js';

await serveKit([attestations({ signerKey: process.env['ATTESTATION_SIGNER_KEY']!, openerOrigin: 'https://dapp.example' })]);
