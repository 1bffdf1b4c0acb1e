import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { verifyWebhook, SIGNATURE_HEADER } from '@w3kit/chain';
import type { Kit } from '@w3kit/core';
import { createTestDatabase, mountedApp, rootMount, startAnvil, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { getAddress, Wallet } from 'ethers';
import { endUser, mint, organization } from '../../nft/test/support.js';
import { chainKit, jobReaches, mintJob, SENDER_KEY, startChain, stopChain, until, type ChainFixture } from './chain-support.js';

const SENDER = new Wallet(SENDER_KEY).address;

/** The node's whole state as a file `anvil --load-state` reads (anvil_dumpState answers it gzipped, in hex). */
async function dumpState(fixture: ChainFixture, file: string): Promise<string> {
  const hex = await fixture.anvil.rpc<string>('anvil_dumpState');
  writeFileSync(file, gunzipSync(Buffer.from(hex.slice(2), 'hex')));
  return file;
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('chain faults: the node goes away', function () {
      this.timeout(90_000);
      let fixture: ChainFixture;
      let db: TestDatabase;
      let kit: Kit;
      let stateDir: string;
      before(async () => {
        fixture = await startChain();
        db = await createTestDatabase(kind);
        stateDir = mkdtempSync(join(tmpdir(), 'w3kit-anvil-'));
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
        await stopChain(fixture);
        rmSync(stateDir, { recursive: true, force: true });
      });

      it('chain faults: anvil killed mid-run: jobs stay pending (a sent one stays submitted) and all complete when it returns', async () => {
        kit = await chainKit(db.url, fixture, { confirmations: 2 });
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        // one mint sent and mined before the node dies, one block short of confirmed
        const early = await mint(app, minter, holder);
        const sent = await until('the early mint mined', async () => {
          const job = await mintJob(kit, early.token_id);
          return job.blockNumber !== null ? job : null;
        });
        assert.equal(sent.status, 'submitted');
        const stateFile = await dumpState(fixture, join(stateDir, 'state.json'));
        const port = Number(new URL(fixture.anvil.url).port);
        await fixture.anvil.stop();

        const late = [await mint(app, minter, holder), await mint(app, minter, holder), await mint(app, minter, holder)];
        await until('failed attempts at the dead node', async () => (await mintJob(kit, late[2]!.token_id)).attempts >= 2);
        for (const token of late) {
          const job = await mintJob(kit, token.token_id);
          assert.equal(job.status, 'pending', 'a job is not given up while the node is away');
          assert.equal(job.nonce, null);
        }
        assert.equal((await mintJob(kit, early.token_id)).status, 'submitted');

        // blocks every second: the last mint needs one on top of its own to have two confirmations
        fixture.anvil = await startAnvil({ port, args: ['--load-state', stateFile, '--block-time', '1'] });
        for (const token of [early, ...late]) await jobReaches(kit, token.token_id, 'confirmed', 40_000);
        for (const token of [early, ...late]) assert.equal(await fixture.contract.getFunction('ownerOf')(BigInt(token.token_id)), getAddress(holder.address));
        // every job holds its own nonce, none skipped
        const nonces = (await Promise.all([early, ...late].map(async (t) => (await mintJob(kit, t.token_id)).nonce!))).sort((a, b) => a - b);
        assert.deepEqual(nonces, [nonces[0]!, nonces[0]! + 1, nonces[0]! + 2, nonces[0]! + 3]);
      });

      it('chain faults: RPC errors get bounded retries, then failed with the reason; the operator retries it and it completes', async () => {
        await kit?.close();
        const port = Number(new URL(fixture.anvil.url).port);
        kit = await chainKit(db.url, fixture, { maxAttempts: 3 });
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        const stateFile = await dumpState(fixture, join(stateDir, 'state-2.json'));
        await fixture.anvil.stop();
        const token = await mint(app, minter, holder);
        const failed = await jobReaches(kit, token.token_id, 'failed');
        assert.equal(failed.attempts, 3);
        assert.match(failed.error!, /^[A-Z_]+ after 3 attempts$/);
        assert.ok(!/127\.0\.0\.1|fetch|connect /.test(failed.error!), 'an error class, no raw library text');

        fixture.anvil = await startAnvil({ port, args: ['--load-state', stateFile] });
        assert.equal(await kit.services.chainJobStore.retry(failed.id, Date.now()), true);
        assert.equal(await kit.services.chainJobStore.retry(failed.id, Date.now()), false, 'only a failed job is retried');
        await jobReaches(kit, token.token_id, 'confirmed');
        assert.equal(await fixture.contract.getFunction('ownerOf')(BigInt(token.token_id)), getAddress(holder.address));
      });
    });

    describe('chain faults: two instances, a reorg, a stuck transaction', function () {
      this.timeout(90_000);
      let fixture: ChainFixture;
      let db: TestDatabase;
      const kits: Kit[] = [];
      before(async () => {
        fixture = await startChain();
        db = await createTestDatabase(kind);
      });
      afterEach(async () => {
        await Promise.all(kits.splice(0).map((k) => k.close()));
      });
      after(async () => {
        await db?.drop();
        await stopChain(fixture);
      });

      it('chain faults: two kit instances minting at once: every nonce used once, in sequence, none skipped', async () => {
        // one job per round each: both instances keep taking nonces at the same time
        const [a, b] = [await chainKit(db.url, fixture, { batchSize: 1, pollIntervalMs: 10 }), await chainKit(db.url, fixture, { batchSize: 1, pollIntervalMs: 10 })];
        kits.push(a, b);
        const [appA, appB] = [mountedApp(rootMount, a), mountedApp(rootMount, b)];
        const [minter, holder] = [await organization(a), await endUser(a)];
        const start = await fixture.provider.getTransactionCount(SENDER);
        const tokens = await Promise.all(Array.from({ length: 12 }, (_, i) => mint(i % 2 ? appA : appB, minter, holder)));
        for (const token of tokens) await jobReaches(a, token.token_id, 'confirmed', 40_000);
        const jobs = await Promise.all(tokens.map((t) => mintJob(a, t.token_id)));
        const nonces = jobs.map((j) => j.nonce!).sort((x, y) => x - y);
        assert.deepEqual(
          nonces,
          Array.from({ length: 12 }, (_, i) => start + i),
        );
        assert.equal(await fixture.provider.getTransactionCount(SENDER), start + 12);
        for (const job of jobs) assert.equal((await fixture.provider.getTransaction(job.txHash!))?.nonce, job.nonce);
        // both instances sent: the nonce row, not one process, kept them apart
        assert.ok(new Set(jobs.map((j) => j.sender)).size === 1);
      });

      it('chain faults: a reorg (evm_revert) drops the mined transaction: the job is re-sent and confirmed on the new chain', async () => {
        const kit = await chainKit(db.url, fixture, { confirmations: 3 });
        kits.push(kit);
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        const snapshot = await fixture.anvil.rpc<string>('evm_snapshot');
        const token = await mint(app, minter, holder);
        const mined = await until('the mint mined', async () => {
          const job = await mintJob(kit, token.token_id);
          return job.blockNumber !== null ? job : null;
        });
        assert.equal(mined.status, 'submitted', 'one block is not three confirmations');
        await fixture.anvil.rpc('evm_revert', [snapshot]);
        assert.equal(await fixture.provider.getTransactionReceipt(mined.txHash!), null, 'the reorg took the transaction');
        const resent = await until('the job re-sent', async () => {
          const job = await mintJob(kit, token.token_id);
          return job.resends > 0 ? job : null;
        });
        assert.equal(resent.status, 'submitted');
        await until('the re-sent transaction mined', async () => fixture.provider.getTransactionReceipt(mined.txHash!));
        await fixture.anvil.rpc('anvil_mine', ['0x2']);
        const confirmed = await jobReaches(kit, token.token_id, 'confirmed');
        assert.equal(confirmed.nonce, mined.nonce, 'the same nonce, the same transaction');
        assert.equal(await fixture.contract.getFunction('ownerOf')(BigInt(token.token_id)), getAddress(holder.address));
      });

      it('chain faults: a transaction stuck in the pool is re-priced (EIP-1559 bump, same nonce) and the bumped one is mined', async () => {
        const kit = await chainKit(db.url, fixture, { stuckAfterMs: 300, bumpPercent: 20 });
        kits.push(kit);
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        await fixture.anvil.rpc('evm_setAutomine', [false]);
        try {
          const token = await mint(app, minter, holder);
          const first = await until('the first send', async () => {
            const job = await mintJob(kit, token.token_id);
            return job.txHashes.length === 1 ? job : null;
          });
          // the kit bumps again every stuckAfterMs while the pool holds it: the job's newest
          // hash and the pool's transaction are read together, until they agree
          const { bumped, replacement } = await until('a bump in the pool', async () => {
            const job = await mintJob(kit, token.token_id);
            if (job.txHashes.length < 2) return null;
            const transaction = await fixture.provider.getTransaction(job.txHashes.at(-1)!);
            return transaction ? { bumped: job, replacement: transaction } : null;
          });
          assert.equal(bumped.txHashes[0], first.txHash);
          // the pool holds the replacement: same nonce, both fees up by at least the bump
          assert.equal(replacement.nonce, first.nonce);
          assert.ok(replacement.maxPriorityFeePerGas! >= (first.priorityFee! * 120n) / 100n);
          assert.ok(replacement.maxFeePerGas! >= (first.maxFee! * 120n) / 100n);
          assert.equal(await fixture.provider.getTransaction(first.txHash!), null, 'the first one was replaced');
          await fixture.anvil.rpc('evm_mine');
          const confirmed = await jobReaches(kit, token.token_id, 'confirmed');
          assert.notEqual(confirmed.txHash, first.txHash, 'a bumped transaction was mined, not the first');
          assert.ok(confirmed.txHashes.slice(1).includes(confirmed.txHash!), 'the mined one is among the bumps');
          assert.equal(confirmed.nonce, first.nonce);
        } finally {
          await fixture.anvil.rpc('evm_setAutomine', [true]);
        }
      });
    });

    describe('chain webhooks', function () {
      this.timeout(60_000);
      let fixture: ChainFixture;
      let db: TestDatabase;
      let kit: Kit;
      let server: Server;
      const received: { body: string; signature: string; status: number }[] = [];
      const SECRET = 'test-webhook-secret-0123456789';
      before(async () => {
        fixture = await startChain();
        db = await createTestDatabase(kind);
        let calls = 0;
        server = createServer((req, res) => {
          let body = '';
          req.on('data', (c) => (body += c));
          req.on('end', () => {
            // the receiver is down for the first two deliveries
            const status = ++calls <= 2 ? 503 : 204;
            received.push({ body, signature: String(req.headers[SIGNATURE_HEADER]), status });
            res.writeHead(status).end();
          });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as { port: number };
        kit = await chainKit(db.url, fixture, { webhookUrls: [`http://127.0.0.1:${port}/hook`], webhookSecret: SECRET });
      });
      after(async () => {
        await kit?.close();
        await db?.drop();
        await stopChain(fixture);
        server?.close();
      });

      it('chain webhooks: every status change is POSTed, HMAC-signed, retried with backoff after failures, and recorded', async () => {
        const app = mountedApp(rootMount, kit);
        const [minter, holder] = [await organization(kit), await endUser(kit)];
        const token = await mint(app, minter, holder);
        const job = await jobReaches(kit, token.token_id, 'confirmed');
        const deliveries = await until(
          'both deliveries made',
          async () => {
            const d = await kit.services.chainJobStore.deliveriesOf(job.id);
            return d.length === 2 && d.every((x) => x.state === 'delivered') ? d : null;
          },
          30_000,
        );
        const statuses = deliveries.map((d) => JSON.parse(d.body).status);
        assert.deepEqual(statuses.sort(), ['confirmed', 'submitted']);
        assert.equal(
          deliveries.reduce((n, d) => n + d.attempts, 0),
          4,
          'two failed attempts, then one success each',
        );
        assert.ok(deliveries.every((d) => d.lastResult === 'HTTP 204'));
        const now = Math.floor(Date.now() / 1000);
        for (const r of received) {
          assert.equal(verifyWebhook(SECRET, r.body, r.signature, now), true, 'signed with the secret');
          assert.equal(verifyWebhook('another-secret-0123456789', r.body, r.signature, now), false);
          assert.equal(verifyWebhook(SECRET, r.body.replace('"status"', '"Status"'), r.signature, now), false, 'a changed body does not verify');
        }
        const confirmed = JSON.parse(deliveries.find((d) => JSON.parse(d.body).status === 'confirmed')!.body);
        assert.deepEqual(confirmed, {
          event: 'chain.job.status',
          job_id: job.id,
          token_id: token.token_id,
          kind: 'mint',
          status: 'confirmed',
          tx_hash: job.txHash,
          block_number: job.blockNumber,
          error: null,
          at: confirmed.at,
        });
      });
    });
  });
}
