import assert from 'node:assert/strict';
import { attestations } from '@w3kit/attestations';
import { createKit, createLogger, KitConfigError, type EmailSender, type SmsSender } from '@w3kit/core';
import request from 'supertest';
import { appFor, MASTER_KEY, TEST_SIGNER_KEY } from './support.js';

const realSms: SmsSender = { development: false, send: async () => {} };
const realEmail: EmailSender = { development: false, send: async () => {} };
const SECRET_KEY = `0x${'5a'.repeat(32)}`;

const kitWith = (plugin: ReturnType<typeof attestations>, mode: 'production' | 'test', services = {}, rateLimits = {}) =>
  createKit({
    database: 'sqlite::memory:',
    plugins: [plugin],
    services,
    logger: createLogger({ level: 'silent' }),
    config: { masterKey: MASTER_KEY, mode, housekeepingIntervalSeconds: 0, rateLimits },
  });

describe('attestations: composition and options', () => {
  it('serves every seed endpoint, the signer endpoint and the two redirect pages', async () => {
    const kit = await kitWith(attestations({ signerKey: SECRET_KEY }), 'test');
    try {
      assert.deepEqual(kit.routes.filter((r) => r.includes('attestations') || r.includes('redirects')).sort(), [
        'GET /api/attestations/facebook/auth-url',
        'GET /api/attestations/signer',
        'GET /api/attestations/twitter/auth-url',
        'GET /redirects/facebook/',
        'GET /redirects/twitter/',
        'POST /api/attestations/email/generate-code',
        'POST /api/attestations/email/verify',
        'POST /api/attestations/facebook/verify',
        'POST /api/attestations/phone/generate-code',
        'POST /api/attestations/phone/verify',
        'POST /api/attestations/twitter/verify',
      ]);
      const paths = kit.openapi()['paths'] as Record<string, Record<string, { requestBody?: unknown }>>;
      const verify = JSON.stringify(paths['/api/attestations/twitter/verify']);
      assert.ok(verify.includes('"oauth-verifier"') && verify.includes('"claim-type"'), verify);
      const signer = await request(appFor(kit).callback()).get('/api/attestations/signer');
      assert.match(signer.body.address, /^0x[0-9a-fA-F]{40}$/);
    } finally {
      await kit.close();
    }
  });

  it('production refuses the well-known test key and the log-only senders', async () => {
    await assert.rejects(kitWith(attestations({ signerKey: TEST_SIGNER_KEY }), 'production', { smsSender: realSms, emailSender: realEmail }), (error: KitConfigError) => {
      assert.ok(error instanceof KitConfigError);
      assert.match(error.message, /attestations\.signerKey: the well-known test key/);
      return true;
    });
    await assert.rejects(kitWith(attestations({ signerKey: SECRET_KEY, openerOrigin: 'https://dapp.example' }), 'production'), (error: KitConfigError) => {
      assert.match(error.message, /smsSender: the development log sender cannot run in production \(used by attestations\)/);
      assert.match(error.message, /emailSender: the development log sender cannot run in production \(used by attestations\)/);
      return true;
    });
    const kit = await kitWith(attestations({ signerKey: SECRET_KEY, openerOrigin: 'https://dapp.example' }), 'production', { smsSender: realSms, emailSender: realEmail });
    await kit.close();
  });

  it('fails fast on options it cannot run with', () => {
    assert.throws(() => attestations(undefined as never), /options are required/);
    assert.throws(() => attestations({} as never), /signerKey must be a hex private key/);
    assert.throws(() => attestations({ signerKey: SECRET_KEY, phoneCodeTtlSeconds: 0 }), /phoneCodeTtlSeconds must be a positive integer/);
    assert.throws(() => attestations({ signerKey: SECRET_KEY, maxCodeAttempts: 1.5 }), /maxCodeAttempts must be a positive integer/);
    assert.throws(() => attestations({ signerKey: SECRET_KEY, phoneNumberCheck: 'loose' as never }), /phoneNumberCheck must be "valid" or "possible"/);
    assert.throws(() => attestations({ signerKey: SECRET_KEY, defaultPhoneCountry: 'usa' as never }), /defaultPhoneCountry/);
    assert.throws(() => attestations({ signerKey: SECRET_KEY, openerOrigin: 'https://dapp.example/path' }), /openerOrigin/);
  });

  it('refuses provider settings it cannot call at kit creation', async () => {
    await assert.rejects(kitWith(attestations({ signerKey: SECRET_KEY, facebook: { appId: '1', appSecret: '' } }), 'test'), /facebook needs appId and appSecret/);
    await assert.rejects(kitWith(attestations({ signerKey: SECRET_KEY, facebook: { appId: '1', appSecret: 's', graphVersion: '19' } }), 'test'), /graphVersion must look like v19\.0/);
    await assert.rejects(
      kitWith(attestations({ signerKey: SECRET_KEY, twitter: { consumerKey: 'k', consumerSecret: 's', apiBaseUrl: 'ftp://x' } }), 'test'),
      /twitter\.apiBaseUrl must be an http\(s\) URL/,
    );
  });

  it('rate-limit rules can be overridden by the kit config', async () => {
    const sent: string[] = [];
    const sms: SmsSender = { development: false, send: async ({ to }) => void sent.push(to) };
    const kit = await kitWith(attestations({ signerKey: SECRET_KEY }), 'test', { smsSender: sms }, { 'attestations.send.target': { limit: 1, windowSeconds: 60 } });
    try {
      const app = appFor(kit);
      assert.equal((await request(app.callback()).post('/api/attestations/phone/generate-code').send({ phone: '+14155552671' })).status, 200);
      assert.equal((await request(app.callback()).post('/api/attestations/phone/generate-code').send({ phone: '+14155552671' })).status, 429);
      assert.deepEqual(sent, ['+14155552671']);
    } finally {
      await kit.close();
    }
  });

  it('moves the redirect pages with config.basePaths, and says so in the callback URL', async () => {
    const kit = await createKit({
      database: 'sqlite::memory:',
      plugins: [attestations({ signerKey: SECRET_KEY, facebook: { appId: '1', appSecret: 's' } })],
      config: { masterKey: MASTER_KEY, mode: 'test', housekeepingIntervalSeconds: 0, publicUrl: 'https://x.example', mountPath: '/id', basePaths: { redirects: '/oauth/back' } },
    });
    try {
      assert.ok(kit.routes.includes('GET /id/oauth/back/facebook/'));
      const res = await request(appFor(kit).callback()).get('/id/api/attestations/facebook/auth-url');
      assert.equal(new URL(res.body.url as string).searchParams.get('redirect_uri'), 'https://x.example/id/oauth/back/facebook/');
    } finally {
      await kit.close();
    }
  });
});
