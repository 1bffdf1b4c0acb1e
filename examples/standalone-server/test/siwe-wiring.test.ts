import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStandaloneServer, EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';
import request from 'supertest';
import { message, newKey, ownerSignature, startTestChain, type TestChain } from '../../../packages/siwe/test/support.js';

const SIGNER = `0x${'42'.repeat(32)}`;

describe('standalone server: siwe', function () {
  this.timeout(60_000);
  let dir: string;
  let chain: TestChain;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain?.anvil.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-siwe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads SIWE_ALLOWED_ORIGINS, SIWE_CHAINS, SIWE_SIGN_UP and SIWE_STATEMENT (defaults: the PUBLIC_URL origin, chain 1, sign-up off)', () => {
    const defaults = loadServerConfig({ PUBLIC_URL: 'https://id.example.com/base' }, dir);
    assert.deepEqual([defaults.siweAllowedOrigins, defaults.siweChains, defaults.siweSignUp, defaults.siweStatement], [['https://id.example.com'], [{ chainId: 1 }], false, undefined]);
    const set = loadServerConfig(
      { SIWE_ALLOWED_ORIGINS: 'https://a.example, http://127.0.0.1:8080', SIWE_CHAINS: '1,8453=https://rpc.example/base?key=k', SIWE_SIGN_UP: 'true', SIWE_STATEMENT: 'Sign in.' },
      dir,
    );
    assert.deepEqual(set.siweAllowedOrigins, ['https://a.example', 'http://127.0.0.1:8080']);
    assert.deepEqual(set.siweChains, [{ chainId: 1 }, { chainId: 8453, rpcUrl: 'https://rpc.example/base?key=k' }]);
    assert.equal(set.siweSignUp, true);
    assert.equal(set.siweStatement, 'Sign in.');
    assert.throws(
      () => loadServerConfig({ SIWE_ALLOWED_ORIGINS: 'https://a.example/path', SIWE_CHAINS: '0x1,5=ftp://x', SIWE_SIGN_UP: 'yes' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems, [
          'SIWE_ALLOWED_ORIGINS: "https://a.example/path" is not an origin (https://app.example.com)',
          'SIWE_CHAINS: "0x1" is not chainId or chainId=http(s)://rpc-url',
          'SIWE_CHAINS: "5=ftp://x" is not chainId or chainId=http(s)://rpc-url',
          'SIWE_SIGN_UP: use true or false',
        ]);
        return true;
      },
    );
  });

  it('signs up and in with an EOA, and a smart-contract wallet through the SIWE_CHAINS RPC URL', async () => {
    const config = loadServerConfig(
      {
        W3KIT_DATA_DIR: dir,
        LOG_LEVEL: 'silent',
        ATTESTATION_SIGNER_KEY: SIGNER,
        SIWE_ALLOWED_ORIGINS: 'https://dapp.example',
        SIWE_CHAINS: `${chain.anvil.chainId}=${chain.anvil.url}`,
        SIWE_SIGN_UP: 'true',
      },
      dir,
    );
    const { app, kit } = await createStandaloneServer(config);
    try {
      const http = request(app.callback());
      const nonce = async () => (await http.post('/v2/auth/siwe/nonce').send({})).body.nonce as string;
      const key = newKey();
      const eoa = message({ address: key.address as `0x${string}`, nonce: await nonce(), chainId: chain.anvil.chainId });
      const res = await http.post('/v2/auth/siwe/verify').send({ message: eoa, signature: await key.signMessage(eoa) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const info = await http.get('/rest/v1/account/my_info').set('authorization', `Bearer ${res.body.token as string}`);
      assert.equal(info.body.result.account_type, 'end_user');
      const owner = newKey();
      const wallet = (await chain.deployWallet(owner.address)) as `0x${string}`;
      const contract = message({ address: wallet, nonce: await nonce(), chainId: chain.anvil.chainId });
      const res1271 = await http.post('/v2/auth/siwe/verify').send({ message: contract, signature: ownerSignature(owner, contract) });
      assert.equal(res1271.status, 200, JSON.stringify(res1271.body));
      // the endpoints are in the OpenAPI document
      const doc = await http.get('/openapi.json');
      assert.ok(doc.body.paths['/v2/auth/siwe/verify']?.post);
    } finally {
      await kit.close();
    }
  });
});
