import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClaimSigner, recoverClaimSigner } from '@w3kit/attestations';
import { startTwilioStandIn } from '@w3kit/core/testing';
import { createStandaloneServer, EnvConfigError, loadServerConfig } from '@w3kit/standalone-server';
import request from 'supertest';

const SID = 'AC0123456789abcdef0123456789abcdef';
const SIGNER = `0x${'42'.repeat(32)}`;

describe('standalone server: attestations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3kit-att-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the sender and provider settings, each group all or nothing', () => {
    const config = loadServerConfig(
      {
        PUBLIC_URL: 'https://id.example.com',
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: 't',
        TWILIO_FROM: '+15005550006',
        FACEBOOK_APP_ID: '1',
        FACEBOOK_APP_SECRET: 's',
        FACEBOOK_GRAPH_VERSION: 'v20.0',
        TWITTER_CONSUMER_KEY: 'k',
        TWITTER_CONSUMER_SECRET: 'c',
        TWITTER_API_URL: 'http://127.0.0.1:9999',
      },
      dir,
    );
    assert.deepEqual(config.twilio, { accountSid: SID, authToken: 't', from: '+15005550006', baseUrl: undefined });
    assert.deepEqual(config.facebook, { appId: '1', appSecret: 's', dialogBaseUrl: undefined, graphBaseUrl: undefined, graphVersion: 'v20.0' });
    assert.deepEqual(config.twitter, { consumerKey: 'k', consumerSecret: 'c', apiBaseUrl: 'http://127.0.0.1:9999' });
    assert.equal(config.emailFrom, 'w3kit <no-reply@id.example.com>');
    assert.match(config.attestationSignerKey!, /^0x[0-9a-f]{64}$/, 'generated in development');

    const none = loadServerConfig({}, dir);
    assert.equal(none.twilio, undefined);
    assert.equal(none.facebook, undefined);
    assert.equal(none.twitter, undefined);

    assert.throws(
      () => loadServerConfig({ TWILIO_ACCOUNT_SID: 'nope', FACEBOOK_APP_ID: '1', TWITTER_CONSUMER_SECRET: 'c', FACEBOOK_GRAPH_URL: 'graph' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems.sort(), [
          'FACEBOOK_APP_SECRET: required with FACEBOOK_APP_ID, FACEBOOK_GRAPH_URL',
          'TWILIO_AUTH_TOKEN, TWILIO_FROM: required with TWILIO_ACCOUNT_SID',
          'TWITTER_CONSUMER_KEY: required with TWITTER_CONSUMER_SECRET',
        ]);
        return true;
      },
    );
    assert.throws(
      () => loadServerConfig({ FACEBOOK_APP_ID: '1', FACEBOOK_APP_SECRET: 's', FACEBOOK_GRAPH_URL: 'graph', TWILIO_ACCOUNT_SID: 'x', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+1' }, dir),
      (error: EnvConfigError) => {
        assert.deepEqual(error.problems.sort(), ['FACEBOOK_GRAPH_URL: "graph" is not an http(s) URL', 'TWILIO_ACCOUNT_SID: must look like AC…']);
        return true;
      },
    );
  });

  it('production requires a signer key', () => {
    assert.throws(
      () => loadServerConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://id.example.com', W3KIT_MASTER_KEY: 'ab'.repeat(32) }, dir),
      (error: EnvConfigError) => error.problems.includes('ATTESTATION_SIGNER_KEY: required in production (the key that signs attestations)'),
    );
  });

  it('serves the attestation endpoints and sends SMS through the configured Twilio API', async () => {
    const twilio = await startTwilioStandIn({ accountSid: SID, authToken: 'twilio-token' });
    const config = loadServerConfig(
      {
        W3KIT_DATA_DIR: dir,
        LOG_LEVEL: 'silent',
        ATTESTATION_SIGNER_KEY: SIGNER,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: 'twilio-token',
        TWILIO_FROM: '+15005550006',
        TWILIO_BASE_URL: twilio.url,
      },
      dir,
    );
    const { app, kit } = await createStandaloneServer(config);
    try {
      const http = request(app.callback());
      const signer = await http.get('/api/attestations/signer');
      assert.deepEqual(signer.body, { address: createClaimSigner(SIGNER).address }, 'the configured ATTESTATION_SIGNER_KEY signs');
      assert.equal((await http.post('/api/attestations/phone/generate-code').send({ phone: '+14155552671' })).status, 200);
      const code = /\d{6}/.exec(twilio.received[0]!.get('Body')!)![0];
      const claim = await http.post('/api/attestations/phone/verify').send({ identity: '0xc741715D55De72bF12461760BaAF97E0468e7b86', phone: '+14155552671', code });
      assert.equal(claim.status, 200);
      assert.equal(claim.body['claim-type'], 10);
      const facebook = await http.get('/api/attestations/facebook/auth-url');
      assert.deepEqual([facebook.status, facebook.body], [422, { errors: ['Facebook is not configured on this server.'] }]);
      assert.equal((await http.get('/redirects/twitter/?denied=x')).status, 200);
    } finally {
      await kit.close();
      await twilio.close();
    }
  });
  it("ATTESTATION_SIGNATURE_FORM and PHONE_NUMBER_CHECK: the Origin attestations document sample phone 5555555555 verifies in the Origin attestations document samples' form", async () => {
    assert.throws(
      () => loadServerConfig({ W3KIT_DATA_DIR: dir, ATTESTATION_SIGNATURE_FORM: 'hex', PHONE_NUMBER_CHECK: 'loose' }, dir),
      (error: EnvConfigError) =>
        error.problems.includes('ATTESTATION_SIGNATURE_FORM: "hex" is not bytes32 or legacy-hex-string') && error.problems.includes('PHONE_NUMBER_CHECK: "loose" is not valid or possible'),
    );
    const twilio = await startTwilioStandIn({ accountSid: SID, authToken: 'twilio-token' });
    const env = {
      W3KIT_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      ATTESTATION_SIGNER_KEY: SIGNER,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'twilio-token',
      TWILIO_FROM: '+15005550006',
      TWILIO_BASE_URL: twilio.url,
    };
    const identity = '0xc741715D55De72bF12461760BaAF97E0468e7b86';
    const claim = { identity, claimType: 10, data: 'phone verified' };
    for (const [extra, form] of [
      [{}, 'bytes32'],
      [{ ATTESTATION_SIGNATURE_FORM: 'legacy-hex-string', PHONE_NUMBER_CHECK: 'possible' }, 'legacy-hex-string'],
    ] as const) {
      const { app, kit } = await createStandaloneServer(loadServerConfig({ ...env, ...extra }, dir));
      try {
        const http = request(app.callback());
        // the Origin seed's sample request: a fictional US number
        const sent = await http.post('/api/attestations/phone/generate-code').send({ country_calling_code: '1', phone: '5555555555' });
        if (form === 'bytes32') {
          // the default check refuses it as not assigned; the form is still the default one
          assert.equal(sent.status, 400, JSON.stringify(sent.body));
          assert.match(JSON.stringify(sent.body.errors), /phone/);
          assert.equal((await http.post('/api/attestations/phone/generate-code').send({ phone: '+14155552671' })).status, 200);
        } else assert.equal(sent.status, 200, JSON.stringify(sent.body));
        const phone = form === 'bytes32' ? '+14155552671' : '+15555555555';
        const code = /\d{6}/.exec(
          twilio.received
            .filter((f) => f.get('To') === phone)
            .at(-1)!
            .get('Body')!,
        )![0];
        const res = await http.post('/api/attestations/phone/verify').send({ identity, phone, code });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(await recoverClaimSigner(claim, res.body.signature, form), createClaimSigner(SIGNER).address, form);
        assert.notEqual(await recoverClaimSigner(claim, res.body.signature, form === 'bytes32' ? 'legacy-hex-string' : 'bytes32'), createClaimSigner(SIGNER).address);
      } finally {
        await kit.close();
      }
    }
    await twilio.close();
  });
});
