import assert from 'node:assert/strict';
import { testDatabases } from '@w3kit/core/testing';
import { CONFIGURATIONS } from '@w3kit/oid4vci';
import { createOffer, endUser, issuerForSuite, postToken, PRE_AUTH_GRANT } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('oid4vci limits: token requests per client IP, offers per creating account', function () {
      this.timeout(60_000);
      const suite = issuerForSuite(kind, { rateLimits: { 'oid4vci.token': { limit: 3, windowSeconds: 60 }, 'oid4vci.offer': { limit: 2, windowSeconds: 3600 } } });

      it('the 4th token request of a minute from one address is 429 in the OAuth body, whatever its code', async () => {
        const answers = [];
        for (let i = 0; i < 4; i++) answers.push(await postToken(suite.issuer, { grant_type: PRE_AUTH_GRANT, 'pre-authorized_code': `guess-${i}` }));
        assert.deepEqual(
          answers.map((a) => a.status),
          [400, 400, 400, 429],
        );
        assert.equal(answers[3]!.body['error'], 'rate_limited');
      });

      it('the 3rd offer of an hour by one account is 429; another account still creates one', async () => {
        const alice = await endUser(suite.issuer);
        const bob = await endUser(suite.issuer);
        const body = { credential_configuration_id: CONFIGURATIONS.sdJwt };
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await createOffer(suite.issuer, alice.token, body)).status);
        assert.deepEqual(statuses, [201, 201, 429]);
        const limited = await createOffer(suite.issuer, alice.token, body);
        assert.equal(limited.body['code'], 'RATE_LIMITED');
        assert.equal((await createOffer(suite.issuer, bob.token, body)).status, 201);
      });
    });
  });
}
