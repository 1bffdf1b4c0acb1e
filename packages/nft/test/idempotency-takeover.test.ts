// A mint that died between claiming its Idempotency-Key and inserting its token (a crashed
// process, a database that went away) must not block that key forever: after
// `idempotencyStaleSeconds` a retry takes the claim over and mints, exactly once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql, type Kit } from '@w3kit/core';
import { appFor, createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { nft } from '@w3kit/nft';
import request from 'supertest';
import { endUser, expectError, nftKit, organization, staticMetadata, type Actor } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft: a stale Idempotency-Key claim is taken over', () => {
      let db: TestDatabase;
      let kit: Kit;
      let clock: ManualClock;
      let minter: Actor;
      let holder: Actor;

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        kit = await nftKit(db.url, { clock, nft: { idempotencyStaleSeconds: 30 } });
        [minter, holder] = await Promise.all([organization(kit), endUser(kit)]);
      });
      after(async () => {
        await kit.close();
        await db.drop();
      });

      const body = { metadata: { static: staticMetadata({ serial_number: 4242 }) } };
      const send = (key: string) => request(appFor(kit).callback()).post(`/rest/v1/nft/mint/to/${holder.address}`).set('authorization', minter.bearer).set('idempotency-key', key).send(body);
      const tokensOf = async (accountId: string) => Number((await sql<{ n: number }>`select count(*) as n from nft_tokens where minter_account_id = ${accountId}`.execute(kit.services.db)).rows[0]!.n);

      /** What a mint that crashed after its claim leaves: the claim (with this request's hash) and no token. */
      async function crashedMintClaim(key: string): Promise<string> {
        const first = await send(`probe-${key}`); // the request hash as the service computes it, read back from a real claim
        assert.equal(first.status, 200);
        const row = (await sql<{ request_hash: string }>`select request_hash from nft_idempotency_keys where idempotency_key = ${`probe-${key}`}`.execute(kit.services.db)).rows[0]!;
        const orphan = `0x${randomBytes(32).toString('hex')}`;
        const claim = await kit.services.nftStore.claimIdempotencyKey({ minterAccountId: minter.accountId, key, requestHash: row.request_hash, tokenId: orphan, at: clock.now() });
        assert.deepEqual(claim, { claimed: true });
        return orphan;
      }

      it('answers 409 IDEMPOTENCY_IN_PROGRESS while the claim is fresh, then mints once after idempotencyStaleSeconds', async () => {
        const orphan = await crashedMintClaim('order-1');
        const before = await tokensOf(minter.accountId);

        const fresh = await send('order-1');
        expectError(fresh, 409, 'IDEMPOTENCY_IN_PROGRESS');
        assert.equal(fresh.headers['retry-after'], '1');
        clock.advance(29_000);
        expectError(await send('order-1'), 409, 'IDEMPOTENCY_IN_PROGRESS');

        clock.advance(1_000);
        // Concurrent takeovers race a release against claims of the same key (on MariaDB a
        // deadlock candidate): one mints, the others see it in progress or get its token.
        const takeovers = await Promise.all(Array.from({ length: 6 }, () => send('order-1')));
        const minted = takeovers.filter((r) => r.status === 200);
        assert.ok(minted.length >= 1, JSON.stringify(takeovers.map((r) => r.body)));
        for (const r of takeovers) if (r.status !== 200) expectError(r, 409, 'IDEMPOTENCY_IN_PROGRESS');
        const tokenId = minted[0]!.body.result.token_id as string;
        assert.notEqual(tokenId, orphan);
        assert.ok(
          minted.every((r) => r.body.result.token_id === tokenId),
          'concurrent takeovers mint one token',
        );

        const retry = await send('order-1');
        assert.equal(retry.status, 200);
        assert.equal(retry.body.result.token_id, tokenId);
        assert.equal(await tokensOf(minter.accountId), before + 1, 'exactly one token for the key');
      });

      it('a stale claim with another body is still refused as a reused key', async () => {
        await crashedMintClaim('order-2');
        clock.advance(60_000);
        const other = await request(appFor(kit).callback())
          .post(`/rest/v1/nft/mint/to/${holder.address}`)
          .set('authorization', minter.bearer)
          .set('idempotency-key', 'order-2')
          .send({ metadata: { static: staticMetadata({ serial_number: 1 }) } });
        expectError(other, 409, 'IDEMPOTENCY_KEY_REUSED');
      });
    });
  });
}

describe('nft: idempotencyStaleSeconds option', () => {
  it('refuses a non-positive or fractional value at plugin creation', () => {
    assert.throws(() => nft({ idempotencyStaleSeconds: 0 }), /idempotencyStaleSeconds must be a positive integer/);
    assert.throws(() => nft({ idempotencyStaleSeconds: 1.5 }), /idempotencyStaleSeconds must be a positive integer/);
  });
});
