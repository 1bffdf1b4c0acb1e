import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';

describe('standalone server: did ethr-registry settings (DID_ETHR_*)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-did-ethr-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('off without DID_ETHR_RPC_URL; with it, the chain defaults to DID_CHAIN_ID and the cache to 30 s', () => {
    assert.equal(loadServerConfig({}, dir).didEthrRegistry, undefined);
    assert.deepEqual(loadServerConfig({ DID_ETHR_RPC_URL: 'http://127.0.0.1:8545', DID_CHAIN_ID: '31337' }, dir).didEthrRegistry, {
      rpcUrl: 'http://127.0.0.1:8545',
      chainId: 31337,
      cacheSeconds: 30,
    });
    const registry = `0x${'ab'.repeat(20)}`;
    assert.deepEqual(loadServerConfig({ DID_ETHR_RPC_URL: 'https://rpc.example', DID_ETHR_CHAIN_ID: '11155111', DID_ETHR_REGISTRY: registry, DID_ETHR_CACHE_SECONDS: '0' }, dir).didEthrRegistry, {
      rpcUrl: 'https://rpc.example',
      chainId: 11155111,
      registry,
      cacheSeconds: 0,
    });
  });

  it('refuses malformed values, and DID_ETHR_* without the URL', () => {
    assert.throws(
      () => loadServerConfig({ DID_ETHR_RPC_URL: 'ftp://node', DID_ETHR_CHAIN_ID: '0x1', DID_ETHR_REGISTRY: '0x12', DID_ETHR_CACHE_SECONDS: '-1' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems, [
          'DID_ETHR_RPC_URL: an http(s) or ws(s) JSON-RPC URL',
          'DID_ETHR_CHAIN_ID: "0x1" is not a chain id (a positive integer)',
          'DID_ETHR_REGISTRY: the registry contract’s address (0x and 40 hex digits)',
          'DID_ETHR_CACHE_SECONDS: seconds (0 or more) a registry document is reused',
        ]);
        return true;
      },
    );
    assert.throws(
      () => loadServerConfig({ DID_ETHR_CHAIN_ID: '5' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems, ['DID_ETHR_CHAIN_ID: needs DID_ETHR_RPC_URL']);
        return true;
      },
    );
  });
});
