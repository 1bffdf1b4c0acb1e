// Issue 13: nftService owns the Idempotency-Key format and the GPS range checks of a QR
// verification (as completeVerification owns the valid area), so a host that calls the service
// without the kit's routes gets the same refusals as an HTTP client.
import assert from 'node:assert/strict';
import { isKitError, type Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { appFor } from '@w3kit/core/testing';
import request from 'supertest';
import { endUser, mint, nftKit, organization, staticMetadata, type Actor } from './support.js';

/** The issues of the VALIDATION_FAILED the work fails with, as `field: message`. */
async function validationIssues(work: Promise<unknown>): Promise<string[]> {
  try {
    await work;
  } catch (error) {
    if (isKitError(error) && error.code === 'VALIDATION_FAILED') return error.issues.map((i) => `${i.field}: ${i.message}`);
    throw error;
  }
  assert.fail('expected VALIDATION_FAILED');
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft service rules: the service owns them (issue 13)', () => {
      let db: TestDatabase;
      let kit: Kit;
      let minter: Actor;
      let holder: Actor;
      const principal = (actor: Actor, accountType: 'organization' | 'end_user') => ({ accountId: actor.accountId, accountType });
      const input = (idempotencyKey?: string) => ({ holderAddress: holder.address, metadata: { static: staticMetadata(), dynamic: {} }, idempotencyKey });

      before(async () => {
        db = await createTestDatabase(kind);
        kit = await nftKit(db.url);
        minter = await organization(kit);
        holder = await endUser(kit);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      it('mint refuses a malformed Idempotency-Key itself, with nothing minted, beside the metadata’s own issues', async () => {
        const before = await kit.services.nftService.listHeldBy(principal(holder, 'end_user'), holder.address, { perPage: 100, page: 1, order: 'desc' });
        for (const key of ['has space', 'x'.repeat(129), 'ключ']) {
          assert.deepEqual(await validationIssues(kit.services.nftService.mint(principal(minter, 'organization'), input(key))), ['Idempotency-Key: must be 1-128 printable ASCII characters.'], key);
        }
        const badArea = { ...input('bad key'), metadata: { static: staticMetadata(), dynamic: { valid_radius: 5 } } };
        const issues = await validationIssues(kit.services.nftService.mint(principal(minter, 'organization'), badArea));
        assert.equal(issues[0], 'Idempotency-Key: must be 1-128 printable ASCII characters.');
        assert.ok(issues.includes('metadata.dynamic.valid_latitude: is required with valid_radius.'), issues.join('; '));
        const after = await kit.services.nftService.listHeldBy(principal(holder, 'end_user'), holder.address, { perPage: 100, page: 1, order: 'desc' });
        assert.equal(after.length, before.length);
      });

      it('mint: an empty key is no key (an absent header), a valid one replays the first result', async () => {
        const a = await kit.services.nftService.mint(principal(minter, 'organization'), input(''));
        const b = await kit.services.nftService.mint(principal(minter, 'organization'), input(''));
        assert.notEqual(a.token_id, b.token_id);
        const first = await kit.services.nftService.mint(principal(minter, 'organization'), input('order-13'));
        const again = await kit.services.nftService.mint(principal(minter, 'organization'), input('order-13'));
        assert.equal(again.token_id, first.token_id);
      });

      it('QR verification: the service refuses out-of-range positions (text or numbers) with the field named', async () => {
        const token = await mint(appFor(kit), minter, holder);
        const service = kit.services.nftService;
        assert.deepEqual(await validationIssues(service.startVerification(principal(holder, 'end_user'), token.token_id, { latitude: '91', longitude: 0 })), [
          'gps.latitude: must be between -90 and 90.',
        ]);
        assert.deepEqual(await validationIssues(service.startVerification(principal(holder, 'end_user'), token.token_id, { latitude: 0, longitude: 'east' })), [
          'gps.longitude: must be between -180 and 180.',
        ]);
        const { code } = await service.startVerification(principal(holder, 'end_user'), token.token_id, { latitude: '26.2124', longitude: '127.6809' });
        const scanner = await endUser(kit);
        assert.deepEqual(await validationIssues(service.completeVerification(principal(scanner, 'end_user'), code, { latitude: -90.5, longitude: 181 })), [
          'gps.latitude: must be between -90 and 90.',
          'gps.longitude: must be between -180 and 180.',
        ]);
        // the refused scan did not use the code
        assert.deepEqual(await service.completeVerification(principal(scanner, 'end_user'), code, { latitude: 26.2124, longitude: 127.6809 }), { token_id: token.token_id });
      });

      it('over HTTP the same refusals keep their Web3Connect envelope', async () => {
        const res = await request(appFor(kit).callback())
          .post(`/rest/v1/nft/mint/to/${holder.address}`)
          .set('authorization', minter.bearer)
          .set('idempotency-key', 'has space')
          .send({ metadata: { static: staticMetadata() } });
        assert.equal(res.status, 400);
        assert.equal(res.body.status, 'error');
        assert.equal(res.body.result, null);
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.deepEqual(res.body.error.issues, ['Idempotency-Key: must be 1-128 printable ASCII characters.']);
      });
    });
  });
}
