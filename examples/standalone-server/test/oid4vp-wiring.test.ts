import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStandaloneServer, loadServerConfig } from '@w3kit/standalone-server';
import request from 'supertest';

const SIGNER = `0x${'42'.repeat(32)}`;

describe('standalone server: oid4vp', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-oid4vp-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('oid4vp: OID4VP=true composes the verifier (off by default); without an issuer a login is a 503 that says why', async () => {
    assert.equal(loadServerConfig({}, dir).oid4vpEnabled, false);
    const config = loadServerConfig(
      { W3KIT_DATA_DIR: dir, LOG_LEVEL: 'silent', ATTESTATION_SIGNER_KEY: SIGNER, PUBLIC_URL: 'https://id.example.com', OID4VP: 'true', OID4VP_LOGIN_PAGE: 'true', OID4VCI: 'false' },
      dir,
    );
    assert.equal(config.oid4vpLoginPage, true);
    const { app, kit } = await createStandaloneServer(config);
    try {
      const http = request(app.callback());
      const document = await http.get('/oid4vp/did.json');
      assert.equal(document.status, 200);
      assert.equal(document.body.id, 'did:web:id.example.com:oid4vp');
      const start = await http.post('/oid4vp/requests').send({});
      assert.equal(start.status, 503, JSON.stringify(start.body));
      assert.equal(start.body.code, 'OID4VP_UNAVAILABLE');
      assert.match(start.body.message, /no SD-JWT VC issuer \(oid4vci\) is composed/);
      assert.equal((await http.get('/oid4vp/login')).status, 503);
    } finally {
      await kit.close();
    }
  });
});
