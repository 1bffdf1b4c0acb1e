import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { did, createDidResolver } from '@w3kit/did';
import { verifyCredential } from 'did-jwt-vc';
const seed = JSON.parse(readFileSync('test/fixtures/seed-examples.json', 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'pv-'));
const kit = await createKit({ database: `sqlite:${join(dir, 'b.db')}`, plugins: [auth(), did({ verifyRateLimit: false })], logger: createLogger({ level: 'silent' }), config: { masterKey: randomBytes(32).toString('hex'), publicUrl: 'http://127.0.0.1:3000', mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0 } });
const resolver = createDidResolver({ chainId: 1 });
const jwt = seed.verifyVc.proof.jwt;
const body = JSON.stringify(seed.verifyVc);
const fns = [

  ['kit credentialService.verify (JSON.parse of the body included)', () => kit.services.credentialService.verify(JSON.parse(body))],

];
for (let r = 0; r < 2; r++) for (const [name, fn] of fns) {
  await fn();
  const t = performance.now(); const n = 4000;
  for (let i = 0; i < n; i++) await fn();
  console.log(name, Math.round(n / ((performance.now() - t) / 1000)), '/s');
}
await kit.close();
