import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStandaloneServer, EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';
import request from 'supertest';
import { SEED } from '../packages/did/test/support.js';

const SIGNER = `0x${randomBytes(32).toString('hex')}`;
// every setting production requires (security issue item 11): an explicit database, random keys, the dapp's origin
const PRODUCTION = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://id.example.com',
  DATABASE_URL: 'sqlite::memory:',
  W3KIT_MASTER_KEY: randomBytes(32).toString('hex'),
  ATTESTATION_SIGNER_KEY: SIGNER,
  ATTESTATION_APP_ORIGIN: 'https://dapp.example',
};

/**
 * The standalone server's settings of the did security controls (security issue items 7 and 9):
 * DID_APP_LOGIN_RESULT_TOKEN, DID_OPERATOR_ORGANIZATIONS and DID_VERIFY_RATE_LIMIT, read and wired into the did plugin.
 */
describe('did security: standalone server settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-sec-did-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('DID_APP_LOGIN_RESULT_TOKEN: unset (the mode decides), required or optional; DID_OPERATOR_ORGANIZATIONS: comma-separated account ids; anything else refused', () => {
    assert.equal(loadServerConfig({}, dir).didAppLoginResultToken, undefined);
    assert.equal(loadServerConfig(PRODUCTION, dir).didAppLoginResultToken, undefined);
    assert.equal(loadServerConfig({ ...PRODUCTION, DID_APP_LOGIN_RESULT_TOKEN: 'optional' }, dir).didAppLoginResultToken, false);
    assert.equal(loadServerConfig({ DID_APP_LOGIN_RESULT_TOKEN: 'required' }, dir).didAppLoginResultToken, true);
    assert.deepEqual(loadServerConfig({}, dir).didOperatorOrganizations, []);
    const ids = ['0b6f5a52-5d1e-4a8e-9f0e-2f0b1d1e8a11', '7c1a2b3c-0000-4000-8000-000000000001'];
    assert.deepEqual(loadServerConfig({ DID_OPERATOR_ORGANIZATIONS: ` ${ids[0]}, ${ids[1]} ` }, dir).didOperatorOrganizations, ids);
    assert.equal(loadServerConfig({}, dir).didVerifyRateLimit, undefined);
    assert.equal(loadServerConfig({ DID_VERIFY_RATE_LIMIT: '600' }, dir).didVerifyRateLimit, 600);
    assert.equal(loadServerConfig({ DID_VERIFY_RATE_LIMIT: 'off' }, dir).didVerifyRateLimit, 'off');
    assert.throws(
      () => loadServerConfig({ DID_APP_LOGIN_RESULT_TOKEN: 'yes', DID_OPERATOR_ORGANIZATIONS: 'acme corp', DID_VERIFY_RATE_LIMIT: '0' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems, [
          'DID_APP_LOGIN_RESULT_TOKEN: use required or optional',
          'DID_OPERATOR_ORGANIZATIONS: comma-separated account ids',
          'DID_VERIFY_RATE_LIMIT: a positive number of verifications per minute, or off',
        ]);
        return true;
      },
    );
  });

  it('the server requires the resultToken when told to, lets the named operator organization issue as its issuer DIDs, and sets or turns off the verify limit', async () => {
    const base = { W3KIT_DATA_DIR: dir, LOG_LEVEL: 'silent', ATTESTATION_SIGNER_KEY: SIGNER };
    // the organization exists before the operator names it
    const first = await createStandaloneServer(loadServerConfig(base, dir));
    const { account } = await first.kit.services.accountService.createOrganization({ name: 'Operator', domain: 'operator.test', email: 'ops@operator.test' });
    await first.kit.close();

    const { app, kit } = await createStandaloneServer(loadServerConfig({ ...base, DID_APP_LOGIN_RESULT_TOKEN: 'required', DID_OPERATOR_ORGANIZATIONS: account.id }, dir));
    try {
      const http = request(app.callback());
      const login = (await http.post('/v2/auth/auth-user-by-app').send({ requestId: 'https://shop.example?' })).body as { requestId: string; resultToken: string };
      const anonymous = await http.post('/v2/auth/auth-user-result-by-app').send({ requestId: login.requestId });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.message, 'resultToken is required.');
      assert.equal((await http.post('/v2/auth/auth-user-result-by-app').send({ requestId: login.requestId, resultToken: login.resultToken })).body.code, 'LOGIN_PENDING');

      const { token } = await kit.services.tokenService.issueAccessToken(account);
      const kitIssuer = (await http.get('/v2/did/issuers')).body[0].did as string;
      const issued = await http
        .post('/credentials/issue')
        .set('authorization', `Bearer ${token}`)
        .send({
          credential: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], issuer: kitIssuer, credentialSubject: { id: 'did:example:1', name: 'Operator test' } },
        });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      assert.deepEqual(issued.body.verifiableCredential.issuer, { id: kitIssuer });
    } finally {
      await kit.close();
    }
    for (const [limit, statuses] of [
      ['2', [200, 200, 429]],
      ['off', [200, 200, 200]],
    ] as const) {
      const server = await createStandaloneServer(loadServerConfig({ ...base, DID_VERIFY_RATE_LIMIT: limit }, dir));
      try {
        const seen: number[] = [];
        for (let i = 0; i < 3; i++) seen.push((await request(server.app.callback()).post('/v2/did/verify-vc').send(SEED.verifyVc)).status);
        assert.deepEqual(seen, statuses, `DID_VERIFY_RATE_LIMIT=${limit}`);
      } finally {
        await server.kit.close();
      }
    }
  });
});
