import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStandaloneServer, EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';
import request from 'supertest';

const SIGNER = `0x${'42'.repeat(32)}`;

describe('standalone server: did', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-did-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads DID_CHAIN_ID and DID_LOGIN_DEMO (the demo page is off in production unless asked for)', () => {
    const development = loadServerConfig({}, dir);
    assert.equal(development.didChainId, 1);
    assert.equal(development.didLoginDemo, true);
    const production = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://id.example.com',
      W3KIT_MASTER_KEY: randomBytes(32).toString('hex'),
      ATTESTATION_SIGNER_KEY: `0x${randomBytes(32).toString('hex')}`,
      ATTESTATION_APP_ORIGIN: 'https://dapp.example',
      DATABASE_URL: 'sqlite::memory:',
    };
    assert.equal(loadServerConfig(production, dir).didLoginDemo, false);
    assert.equal(loadServerConfig({ ...production, DID_LOGIN_DEMO: 'true', DID_CHAIN_ID: '137' }, dir).didLoginDemo, true);
    assert.throws(
      () => loadServerConfig({ DID_CHAIN_ID: '0x1', DID_LOGIN_DEMO: 'yes' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems, ['DID_CHAIN_ID: "0x1" is not a chain id (a positive integer)', 'DID_LOGIN_DEMO: use true or false']);
        return true;
      },
    );
  });

  it('serves the DID endpoints, the VC-API and the login demo page', async () => {
    const config = loadServerConfig({ W3KIT_DATA_DIR: dir, LOG_LEVEL: 'silent', ATTESTATION_SIGNER_KEY: SIGNER, DID_CHAIN_ID: '11155111' }, dir);
    const { app, kit } = await createStandaloneServer(config);
    try {
      const http = request(app.callback());
      const issuers = await http.get('/v2/did/issuers');
      assert.equal(issuers.status, 200);
      assert.match(issuers.body[0].did, /^did:ethr:0xaa36a7:0x[0-9a-f]{40}$/);
      const unsupported = await http.post('/credentials/verify').send({ verifiableCredential: { proof: { type: 'RsaSignature2018' } } });
      assert.deepEqual([unsupported.status, unsupported.body.verified], [422, false]);
      const page = await http.get('/v2/login-demo');
      assert.equal(page.status, 200);
      assert.match(page.headers['content-type']!, /^text\/html/);
      assert.match(page.headers['content-security-policy']!, /^default-src 'none'; script-src 'self'/);
      assert.match(page.text, /<img class="qr" id="qr-image" alt="Login request QR code" src="data:image\/png;base64,/);
      assert.match(page.text, /<script src="\/v2\/login-demo\/app\.js"><\/script>/);
      assert.equal((await http.get('/v2/login-demo/app.js')).status, 200);
    } finally {
      await kit.close();
    }
    const off = loadServerConfig({ W3KIT_DATA_DIR: dir, LOG_LEVEL: 'silent', ATTESTATION_SIGNER_KEY: SIGNER, DID_LOGIN_DEMO: 'false' }, dir);
    const server = await createStandaloneServer(off);
    try {
      assert.equal((await request(server.app.callback()).get('/v2/login-demo')).status, 404);
    } finally {
      await server.kit.close();
    }
  });
});
