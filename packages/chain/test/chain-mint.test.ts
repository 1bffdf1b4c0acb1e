import assert from 'node:assert/strict';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, mountedApp, rootMount, testDatabases, type TestApp, type TestDatabase } from '@w3kit/core/testing';
import { sampleStaticMetadata } from '@w3kit/nft/testing';
import { getAddress, hexlify, toUtf8Bytes } from 'ethers';
import request from 'supertest';
import { endUser, expectError, mint, nftKit, organization, type Actor } from '../../nft/test/support.js';
import { chainKit, jobReaches, mintJob, sealKey, startChain, stopChain, STRANGER_KEY, until, type ChainFixture } from './chain-support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('chain: credential NFTs minted on anvil', function () {
      this.timeout(60_000);
      let fixture: ChainFixture;
      let db: TestDatabase;
      let kit: Kit;
      let app: TestApp;
      let minter: Actor;
      let holder: Actor;
      before(async () => {
        fixture = await startChain();
        db = await createTestDatabase(kind);
        kit = await chainKit(db.url, fixture);
        app = mountedApp(rootMount, kit);
        [minter, holder] = [await organization(kit), await endUser(kit)];
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
        await stopChain(fixture);
      });
      const api = () => request(app.callback());

      it('chain: a public mint answers pending, then is confirmed on chain (ownerOf, tokenURI, locked, expiry) and fetch, lists and the status endpoint show it', async () => {
        const minted = await mint(app, minter, holder, { metadata: { static: { ...sampleStaticMetadata(), expired_at: '2031-01-01T00:00:00.000Z' }, dynamic: {} } });
        assert.deepEqual(minted['chain'], { status: 'pending', tx_hash: null, block_number: null, error: null });
        const job = await jobReaches(kit, minted.token_id, 'confirmed');
        const id = BigInt(minted.token_id);
        assert.equal(await fixture.contract.getFunction('ownerOf')(id), getAddress(holder.address));
        assert.equal(await fixture.contract.getFunction('tokenURI')(id), minted['token_uri']);
        assert.equal(await fixture.contract.getFunction('locked')(id), true);
        assert.equal(await fixture.contract.getFunction('expiresAt')(id), BigInt(Date.parse('2031-01-01T00:00:00.000Z') / 1000));
        assert.equal(await fixture.contract.getFunction('isValid')(id), true);
        const receipt = await fixture.provider.getTransactionReceipt(job.txHash!);
        assert.equal(receipt?.status, 1);
        const expected = { status: 'confirmed', tx_hash: job.txHash, block_number: receipt.blockNumber, error: null };

        const fetched = await api().get(`/rest/v1/nft/${minted.token_id}`).set('authorization', holder.bearer);
        assert.deepEqual(fetched.body.result.chain, expected);
        const held = await api().get(`/rest/v1/nft/held_by_id_wallet/${holder.address}`).set('authorization', holder.bearer);
        assert.deepEqual(held.body.result.find((t: { token_id: string }) => t.token_id === minted.token_id).chain, expected);
        const mine = await api().get('/rest/v1/nft/minted_by_me').set('authorization', minter.bearer);
        assert.deepEqual(mine.body.result.find((t: { token_id: string }) => t.token_id === minted.token_id).chain, expected);
        const status = await api().get(`/rest/v1/nft/${minted.token_id}/chain`).set('authorization', holder.bearer);
        assert.deepEqual(status.body, { status: 'ok', result: expected, error: null });
      });

      it('chain: nobody can transfer or approve a token on chain (ERC-5192 locked)', async () => {
        const minted = await mint(app, minter, holder);
        await jobReaches(kit, minted.token_id, 'confirmed');
        const id = BigInt(minted.token_id);
        const asHolderContract = fixture.contract.connect(await fixture.provider.getSigner(0));
        await assert.rejects(asHolderContract.getFunction('transferFrom')(holder.address, minter.address, id), /soulbound: not transferable/);
        await assert.rejects(asHolderContract.getFunction('approve')(minter.address, id), /soulbound: not transferable/);
        assert.equal(await fixture.contract.getFunction('supportsInterface')('0xb45a3c0e'), true, 'ERC-5192');
        assert.equal(await fixture.contract.getFunction('supportsInterface')('0x80ac58cd'), true, 'ERC-721');
      });

      it('chain: a private token puts nothing on chain until it is made public; then it is minted', async () => {
        const from = await fixture.provider.getBlockNumber();
        const secretName = `Secret diploma ${Date.now()}`;
        const minted = await mint(app, minter, holder, { visibility: 'private', metadata: { static: { ...sampleStaticMetadata(), name: secretName }, dynamic: { category: 'confidential-x' } } });
        assert.equal(minted['chain'], null);
        // several pipeline rounds: nothing is sent for it
        for (let i = 0; i < 3; i++) await kit.services.transactionPipeline.runOnce();
        const status = await api().get(`/rest/v1/nft/${minted.token_id}/chain`).set('authorization', holder.bearer);
        assert.deepEqual(status.body, { status: 'ok', result: null, error: null });
        // every transaction and log since: none names the token id, the holder, or any metadata
        const needles = [minted.token_id.slice(2), holder.address.slice(2).toLowerCase(), hexlify(toUtf8Bytes(secretName)).slice(2), hexlify(toUtf8Bytes('confidential-x')).slice(2)];
        const seen = await everythingOnChainSince(fixture, from);
        for (const needle of needles) assert.ok(!seen.includes(needle), `found ${needle} on chain`);
        await assert.rejects(fixture.contract.getFunction('ownerOf')(BigInt(minted.token_id)), /no such token/);

        const published = await api().put(`/rest/v1/nft/${minted.token_id}/visibility`).set('authorization', holder.bearer).send({ to: 'public' });
        assert.equal(published.status, 200);
        await jobReaches(kit, minted.token_id, 'confirmed');
        assert.equal(await fixture.contract.getFunction('ownerOf')(BigInt(minted.token_id)), getAddress(holder.address));
        // the metadata itself never goes on chain, public or not: only the token URI
        assert.ok(!(await everythingOnChainSince(fixture, from)).includes(needles[2]!));
        // publishing again adds no second job
        await api().put(`/rest/v1/nft/${minted.token_id}/visibility`).set('authorization', holder.bearer).send({ to: 'private' });
        await api().put(`/rest/v1/nft/${minted.token_id}/visibility`).set('authorization', holder.bearer).send({ to: 'public' });
        const jobs = (await kit.services.chainJobStore.list(null, 1000)).filter((j) => j.tokenId === minted.token_id);
        assert.equal(jobs.length, 1);
      });

      it('chain: a burn (revocation) recorded through the ledger is sent after the mint and removes the token from chain', async () => {
        const minted = await mint(app, minter, holder, { metadata: { static: sampleStaticMetadata(), dynamic: {} } });
        await jobReaches(kit, minted.token_id, 'confirmed');
        const id = BigInt(minted.token_id);
        assert.equal(await fixture.contract.getFunction('isValid')(id), true);
        await kit.services.db.transaction().execute((trx) => kit.services.ledger.burn(trx, minted.token_id));
        await kit.services.db.transaction().execute((trx) => kit.services.ledger.burn(trx, minted.token_id)); // a second burn is a no-op
        const burn = await until('the burn confirmed', async () => {
          const jobs = (await kit.services.chainJobStore.list(null, 1000)).filter((j) => j.tokenId === minted.token_id && j.kind === 'burn');
          assert.ok(jobs.length <= 1);
          return jobs[0]?.status === 'confirmed' ? jobs[0] : null;
        });
        assert.ok(burn.nonce! > (await mintJob(kit, minted.token_id)).nonce!);
        await assert.rejects(fixture.contract.getFunction('ownerOf')(id), /no such token/);
        assert.equal(await fixture.contract.getFunction('isValid')(id), false);
        // the NFT object keeps showing the mint's state
        assert.equal((await mintJob(kit, minted.token_id)).status, 'confirmed');
      });

      it('chain: the status endpoint follows the NFT visibility rules and checks its token id', async () => {
        const minted = await mint(app, minter, holder, { visibility: 'private' });
        const stranger = await endUser(kit);
        expectError(await api().get(`/rest/v1/nft/${minted.token_id}/chain`).set('authorization', stranger.bearer), 404, 'NFT_NOT_FOUND');
        expectError(await api().get(`/rest/v1/nft/${minted.token_id}/chain`), 401, 'UNAUTHENTICATED');
        const bad = await api().get('/rest/v1/nft/0x1234/chain').set('authorization', holder.bearer);
        expectError(bad, 400, 'VALIDATION_FAILED');
      });
    });

    describe('chain: expiry on chain', function () {
      this.timeout(60_000);
      let fixture: ChainFixture;
      let db: TestDatabase;
      let kit: Kit;
      before(async () => {
        fixture = await startChain();
        db = await createTestDatabase(kind);
        kit = await chainKit(db.url, fixture);
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
        await stopChain(fixture);
      });

      it('chain: a token past its expired_at stays owned but isValid answers false (no transaction needed)', async () => {
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        const expiredAt = new Date(Date.now() + 3600_000).toISOString();
        const minted = await mint(app, minter, holder, { metadata: { static: { ...sampleStaticMetadata(), expired_at: expiredAt }, dynamic: {} } });
        await jobReaches(kit, minted.token_id, 'confirmed');
        const id = BigInt(minted.token_id);
        assert.equal(await fixture.contract.getFunction('isValid')(id), true);
        await fixture.anvil.rpc('evm_increaseTime', [7200]);
        await fixture.anvil.rpc('evm_mine');
        assert.equal(await fixture.contract.getFunction('isValid')(id), false);
        assert.equal(await fixture.contract.getFunction('ownerOf')(id), getAddress(holder.address));
      });
    });

    describe('chain: a job whose transaction reverts', function () {
      this.timeout(60_000);
      let fixture: ChainFixture;
      let db: TestDatabase;
      let kit: Kit;
      before(async () => {
        fixture = await startChain();
        db = await createTestDatabase(kind);
        // the kit signs with a key that is not the contract's minter: every mint reverts
        kit = await chainKit(db.url, fixture, { senderKeySealed: sealKey(STRANGER_KEY) });
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
        await stopChain(fixture);
      });

      it('chain: a reverting mint is failed with the revert reason, holds no nonce, and the API shows it', async () => {
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        const minted = await mint(app, minter, holder);
        const job = await jobReaches(kit, minted.token_id, 'failed');
        assert.equal(job.error, 'reverted: only the minter');
        assert.equal(job.nonce, null, 'no nonce taken: no gap for later jobs');
        const fetched = await request(app.callback()).get(`/rest/v1/nft/${minted.token_id}`).set('authorization', holder.bearer);
        assert.deepEqual(fetched.body.result.chain, { status: 'failed', tx_hash: null, block_number: null, error: 'reverted: only the minter' });
      });
    });

    describe('chain: database only (no chain composed)', function () {
      let db: TestDatabase;
      let kit: Kit;
      before(async () => {
        db = await createTestDatabase(kind);
        kit = await nftKit(db.url, { nft: { defaultVisibility: 'public' } });
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
      });

      it('chain: without a chain the NFT object has no chain field and the status endpoint is 404 CHAIN_NOT_CONFIGURED', async () => {
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        const minted = await mint(app, minter, holder);
        assert.equal('chain' in minted, false);
        const fetched = await request(app.callback()).get(`/rest/v1/nft/${minted.token_id}`).set('authorization', holder.bearer);
        assert.equal('chain' in fetched.body.result, false);
        expectError(await request(app.callback()).get(`/rest/v1/nft/${minted.token_id}/chain`).set('authorization', holder.bearer), 404, 'CHAIN_NOT_CONFIGURED');
      });
    });
  });
}

/** Lower-case hex of every transaction's input and every log's topics and data in blocks `from`+1 to the head. */
async function everythingOnChainSince(fixture: ChainFixture, from: number): Promise<string> {
  const head = await fixture.provider.getBlockNumber();
  const parts: string[] = [];
  for (let n = from + 1; n <= head; n++) {
    const block = await fixture.provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      parts.push(tx.data, tx.to ?? '');
      const receipt = await fixture.provider.getTransactionReceipt(tx.hash);
      for (const log of receipt?.logs ?? []) parts.push(...log.topics, log.data);
    }
  }
  return parts.join(' ').toLowerCase();
}
