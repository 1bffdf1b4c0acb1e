import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@w3kit/auth';
import { createKit, createLogger } from '@w3kit/core';
import { appFor, createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { did } from '@w3kit/did';
import { CONFIGURATIONS, oid4vci } from '@w3kit/oid4vci';
import { oid4vp } from '@w3kit/oid4vp';
import { newWallet, receiveCredential } from '../packages/oid4vci/test/support.js';
import { loadBalancer, MASTER_KEY, PUBLIC_URL, site, TestWallet, type Instance } from '../packages/oid4vp/test/support.js';

/**
 * Both halves of issue 18 against one kit (auth, did, oid4vci, oid4vp) under an https public URL:
 * the OpenWallet Foundation's clients are the wallet, with one key — Openid4vciClient receives
 * the SD-JWT VC, Openid4vpClient presents it for a cross-device login.
 */
for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vc end to end: receive an SD-JWT VC by pre-authorized code, then log in with it over OID4VP', function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let instance: Instance;
      before(async () => {
        db = await createTestDatabase(kind);
        const kit = await createKit({
          database: db.url,
          plugins: [auth(), did(), oid4vci(), oid4vp()],
          logger: createLogger({ level: 'silent' }),
          config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: PUBLIC_URL },
        });
        const server = createServer(appFor(kit).callback());
        server.listen(0, '127.0.0.1');
        await new Promise((resolve) => server.once('listening', resolve));
        instance = {
          kit,
          server,
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          async close() {
            await new Promise((resolve) => server.close(resolve));
            await kit.close();
          },
        };
      });
      after(async () => {
        await instance?.close();
        await db?.drop();
      });

      it('the wallet receives the credential, presents it, and the site collects the login of the account it was issued to', async () => {
        const lb = loadBalancer(instance);
        const { kit } = instance;
        const account = await kit.services.accountService.createEndUser({ loginId: 'hong', email: 'hong@example.com', password: 'correct horse battery', name: 'Hong Gildong' });
        const { token } = await kit.services.accountService.loginWithPassword('hong', 'correct horse battery', '127.0.0.1');
        // the account holder asks for an offer (the site shows it as a QR code)
        const created = await lb.fetch(`${PUBLIC_URL}/v2/oid4vci/offers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ credential_configuration_id: CONFIGURATIONS.sdJwt }),
        });
        assert.equal(created.status, 201);
        const offer = (await created.json()) as { credential_offer: string };
        // one wallet, one key: the OID4VP client's key binds the credential the OID4VCI client receives
        const presenter = new TestWallet(lb);
        const receiver = await newWallet({ fetch: lb.fetch, key: presenter.key });
        const credential = await receiveCredential(receiver, offer.credential_offer);
        assert.equal(typeof credential, 'string');
        // a site starts a login; the wallet reads the QR code's request and answers with the credential
        const login = await site(lb).start();
        const answered = await presenter.login(login.authorization_request, credential as string);
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        const result = await site(lb).collect({ transaction_id: login.transaction_id, result_token: login.result_token });
        assert.equal(result.status, 200, JSON.stringify(result.body));
        assert.equal(result.body['userId'], 'hong');
        assert.equal(typeof result.body['token'], 'string');
        const me = await lb.fetch(`${PUBLIC_URL}/rest/v1/account/my_info`, { headers: { authorization: `Bearer ${String(result.body['token'])}` } });
        assert.equal(((await me.json()) as { result: { sub: string } }).result.sub, account.id);
        // the login was used once: the same answer again is refused
        const again = await site(lb).collect({ transaction_id: login.transaction_id, result_token: login.result_token });
        assert.notEqual(again.status, 200);
        // revoked through the Token Status List, the credential logs no one in any more
        const entry = (JSON.parse(Buffer.from((credential as string).split('.')[1]!, 'base64url').toString()) as { status: { status_list: { uri: string; idx: number } } }).status.status_list;
        const revoked = await lb.fetch(`${PUBLIC_URL}/v2/oid4vci/credentials/revoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(entry),
        });
        assert.equal(revoked.status, 200);
        const refused = await presenter.login((await site(lb).start()).authorization_request, credential as string);
        assert.notEqual(refused.status, 200);
        assert.match(JSON.stringify(refused.body), /revoked|REVOKED|status/i);
      });
    });
  });
}
