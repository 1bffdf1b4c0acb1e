import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';

describe('standalone server: oid4vci wallet clients of the authorization code flow', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-vci-authcode-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads OID4VCI_WALLET_CLIENTS as client_id=redirect_uri pairs grouped by client id, none by default', () => {
    assert.deepEqual(loadServerConfig({}, dir).oid4vciWalletClients, []);
    const config = loadServerConfig({ OID4VCI_WALLET_CLIENTS: 'wallet=https://wallet.example/cb, wallet=wallet-app://cb,other=http://127.0.0.1:7000/cb' }, dir);
    assert.deepEqual(config.oid4vciWalletClients, [
      { clientId: 'wallet', redirectUris: ['https://wallet.example/cb', 'wallet-app://cb'] },
      { clientId: 'other', redirectUris: ['http://127.0.0.1:7000/cb'] },
    ]);
  });

  it('refuses an entry without a client id or with a relative redirect URI, naming it', () => {
    assert.throws(
      () => loadServerConfig({ OID4VCI_WALLET_CLIENTS: '=https://wallet.example/cb,wallet=/cb' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems, [
          'OID4VCI_WALLET_CLIENTS: "=https://wallet.example/cb" is not client_id=redirect_uri (an absolute URI)',
          'OID4VCI_WALLET_CLIENTS: "wallet=/cb" is not client_id=redirect_uri (an absolute URI)',
        ]);
        return true;
      },
    );
  });
});
