import assert from 'node:assert/strict';
import { attestations } from '@w3kit/attestations';
import { createKit, createLogger, KitConfigError } from '@w3kit/core';
import { testDatabases } from '@w3kit/core/testing';
import request from 'supertest';
import { FACEBOOK_APP } from './facebook-stand-in.js';
import { authUrl, harnessPerTest, MASTER_KEY, runRedirectPage, type Harness } from './support.js';

const DAPP = 'https://dapp.example';
const quiet = { development: false, send: async () => {} };
const SIGNER = `0x${'5a'.repeat(31)}17`;

/** The redirect page of a fresh Facebook flow (any code: the page binds it to the flow, Facebook is not called). */
async function redirectPage(h: Harness) {
  const state = (await authUrl(h, 'facebook')).searchParams.get('state')!;
  return request(h.app.callback()).get(`/redirects/facebook/?state=${encodeURIComponent(state)}&code=the-code`);
}

describe('attestations opener origin: production requires openerOrigin (ATTESTATION_APP_ORIGIN)', () => {
  const production = (openerOrigin?: string) =>
    createKit({
      database: 'sqlite::memory:',
      plugins: [attestations({ signerKey: SIGNER, ...(openerOrigin === undefined ? {} : { openerOrigin }) })],
      services: { smsSender: quiet, emailSender: quiet },
      logger: createLogger({ level: 'silent' }),
      config: { masterKey: MASTER_KEY, mode: 'production', housekeepingIntervalSeconds: 0 },
    });

  it("refuses to start without it, and with '*'", async () => {
    for (const origin of [undefined, '*']) {
      await assert.rejects(production(origin), (error: KitConfigError) => {
        assert.ok(error instanceof KitConfigError);
        assert.deepEqual(error.problems, ["attestations.openerOrigin: required in production (the dapp's origin, e.g. https://dapp.example), so only the dapp receives the redirect pages' message"]);
        return true;
      });
    }
    await (await production(DAPP)).close();
  });

  it('refuses what is not an origin, at composition', () => {
    for (const bad of ['https://dapp.example/', 'dapp.example', 'javascript:alert(1)', 'https://dapp.example/cb']) {
      assert.throws(() => attestations({ signerKey: SIGNER, openerOrigin: bad }), /openerOrigin must be "\*" or an origin such as https:\/\/dapp\.example/, bad);
    }
  });
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations opener origin: the redirect page posts to the configured origin only', () => {
      let h: Harness;
      harnessPerTest(kind, (harness) => (h = harness), {
        plugin: { openerOrigin: DAPP, facebook: { ...FACEBOOK_APP, dialogBaseUrl: 'https://facebook.invalid', graphBaseUrl: 'https://facebook.invalid' } },
      });

      it('the served script names the configured origin as postMessage target, never "*", and the CSP admits only it', async () => {
        const page = await redirectPage(h);
        assert.equal(page.status, 200);
        assert.ok(page.text.includes(`window.opener.postMessage(message, "${DAPP}")`), page.text);
        assert.doesNotMatch(page.text, /"\*"/);
        assert.deepEqual(runRedirectPage(page.text, page.headers['content-security-policy']), { posted: [['facebook-code:the-code', DAPP]], closed: true });
        assert.equal(page.headers['x-frame-options'], 'DENY');
        assert.equal(page.headers['x-content-type-options'], 'nosniff');
        assert.equal(page.headers['cache-control'], 'no-store');
      });
    });
  });
}
