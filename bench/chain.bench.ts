// Credential NFTs through the chain pipeline (issue 19) against raw ethers sends, on one anvil
// (automine), in one run: N mints each (CHAIN_BENCH_MINTS, default 200), CHAIN_BENCH_CONCURRENCY
// (default 8) at a time. The pipeline: nftService.mint (token + outbox row in one transaction,
// SQLite), one instance's worker (polling every 100 ms) signs, sends and confirms (1 block).
// The baseline: one wallet sends the same contract call with locally counted nonces and waits for
// each receipt. Reports mints/s of each, their ratio, the pipeline's confirmation latency
// (mint → confirmed) p50/p99, and lost jobs (minted in the database but not owned on chain).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auth } from '@w3kit/auth';
import { chain, CREDENTIAL_NFT_ABI, deployCredentialNft, SENDER_KEY_CONTEXT } from '@w3kit/chain';
import { createEnvelopeEncryption, createKit, createLogger, type Principal } from '@w3kit/core';
import { startAnvil } from '@w3kit/core/testing';
import { nft } from '@w3kit/nft';
import { Contract, JsonRpcProvider, toBeHex, Wallet } from 'ethers';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export default async function chainBench(): Promise<{ met: boolean }> {
  const mints = Number(process.env['CHAIN_BENCH_MINTS'] ?? 200);
  const concurrency = Number(process.env['CHAIN_BENCH_CONCURRENCY'] ?? 8);
  const anvil = await startAnvil();
  const provider = new JsonRpcProvider(anvil.url, anvil.chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  const dir = mkdtempSync(join(tmpdir(), 'w3kit-chain-bench-'));
  const [rawKey, kitKey] = [Wallet.createRandom().privateKey, Wallet.createRandom().privateKey];
  for (const key of [rawKey, kitKey]) await anvil.rpc('anvil_setBalance', [new Wallet(key).address, toBeHex(10n ** 24n)]);
  const masterKey = randomBytes(32).toString('hex');
  try {
    // the baseline: raw ethers sends of the same call
    const rawWallet = new Wallet(rawKey, provider);
    const rawContract = new Contract((await deployCredentialNft(rawWallet)).address, CREDENTIAL_NFT_ABI, rawWallet);
    let nonce = await provider.getTransactionCount(rawWallet.address, 'pending'); // counted locally, as a raw sender does
    const holder = Wallet.createRandom().address;
    const rawStart = performance.now();
    await inParallel(mints, concurrency, async () => {
      const tx = await rawContract.getFunction('mint')(holder, BigInt(`0x${randomBytes(32).toString('hex')}`), 'https://id.example.com/rest/v1/nft/x/metadata', 253402300799n, { nonce: nonce++ });
      await tx.wait();
    });
    const rawSeconds = (performance.now() - rawStart) / 1000;

    // the pipeline
    const { address: contractAddress } = await deployCredentialNft(new Wallet(kitKey, provider));
    const kit = await createKit({
      database: `sqlite:${join(dir, 'bench.db')}`,
      plugins: [
        auth(),
        nft({ defaultVisibility: 'public' }),
        chain({
          rpcUrl: anvil.url,
          chainId: anvil.chainId,
          contractAddress,
          senderKeySealed: createEnvelopeEncryption(masterKey).encrypt(kitKey, SENDER_KEY_CONTEXT),
          confirmations: 1,
          pollIntervalMs: 100,
          batchSize: 64,
        }),
      ],
      logger: createLogger({ level: 'silent' }),
      config: { masterKey, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com' },
    });
    const { account: org } = await kit.services.accountService.createOrganization({ name: 'Bench', domain: 'bench.test', email: 'ops@bench.test' });
    await kit.services.accountStore.update(org.id, { domainVerified: true }, new Date());
    const user = await kit.services.accountService.createEndUser({ loginId: 'bench-holder', email: 'h@bench.test', password: 'pw-123456' });
    const principal = { accountId: org.id, accountType: 'organization' } as Principal;
    const metadata = { static: { issuer: 'Bench', contents_provider: 'Bench', name: 'N', description: 'D', image: '', link: '', animation_url: '' }, dynamic: {} };
    const pipelineStart = performance.now();
    const tokenIds: string[] = [];
    await inParallel(mints, concurrency, async () => {
      tokenIds.push((await kit.services.nftService.mint(principal, { holderAddress: user.wallet!.address, metadata })).token_id);
    });
    const mintSeconds = (performance.now() - pipelineStart) / 1000;
    let jobs = await kit.services.chainJobStore.list(null, mints + 10);
    const deadline = Date.now() + 10 * 60_000;
    while (jobs.some((j) => j.status !== 'confirmed' && j.status !== 'failed') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      jobs = await kit.services.chainJobStore.list(null, mints + 10);
    }
    const pipelineSeconds = (Math.max(...jobs.map((j) => j.updatedAt)) - Math.min(...jobs.map((j) => j.createdAt))) / 1000;
    const latencies = jobs
      .filter((j) => j.status === 'confirmed')
      .map((j) => j.updatedAt - j.createdAt)
      .sort((a, b) => a - b);
    const contract = new Contract(contractAddress, CREDENTIAL_NFT_ABI, provider);
    const onChain = Number(await contract.getFunction('balanceOf')(user.wallet!.address));
    await kit.close();

    const result = {
      mints,
      concurrency,
      rawMintsPerSecond: Math.round((mints / rawSeconds) * 10) / 10,
      pipelineMintsPerSecond: Math.round((mints / pipelineSeconds) * 10) / 10,
      ratio: Math.round((rawSeconds / pipelineSeconds) * 1000) / 1000,
      apiMintsPerSecond: Math.round((mints / mintSeconds) * 10) / 10,
      confirmationLatencyP50Ms: percentile(latencies, 50),
      confirmationLatencyP99Ms: percentile(latencies, 99),
      confirmed: latencies.length,
      failed: jobs.filter((j) => j.status === 'failed').length,
      lostJobs: tokenIds.length - onChain,
      nonces: { distinct: new Set(jobs.map((j) => j.nonce)).size, min: Math.min(...jobs.map((j) => j.nonce ?? NaN)), max: Math.max(...jobs.map((j) => j.nonce ?? NaN)) },
    };
    console.log(
      `chain: raw ${result.rawMintsPerSecond} mints/s, pipeline ${result.pipelineMintsPerSecond} mints/s (ratio ${result.ratio}); ` +
        `confirmation p50 ${result.confirmationLatencyP50Ms} ms, p99 ${result.confirmationLatencyP99Ms} ms; ${result.confirmed}/${mints} confirmed, ${result.lostJobs} lost`,
    );
    const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'chain.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    return { met: result.lostJobs === 0 && result.failed === 0 };
  } finally {
    provider.destroy();
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
