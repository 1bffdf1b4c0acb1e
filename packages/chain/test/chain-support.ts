import { auth } from '@w3kit/auth';
import { chain, CREDENTIAL_NFT_ABI, deployCredentialNft, SENDER_KEY_CONTEXT, type ChainJob, type ChainOptions } from '@w3kit/chain';
import { createEnvelopeEncryption, createKit, createLogger, type Kit } from '@w3kit/core';
import { startAnvil, type Anvil, type AnvilOptions } from '@w3kit/core/testing';
import { nft, type NftOptions } from '@w3kit/nft';
import { Contract, id, JsonRpcProvider, toBeHex, Wallet } from 'ethers';
import { MASTER_KEY } from '../../nft/test/support.js';

/** The kit's sender key, and a stranger's (both funded on every test chain). */
export const SENDER_KEY = id('w3kit chain test sender');
export const STRANGER_KEY = id('w3kit chain test stranger');

export const sealKey = (key: string) => createEnvelopeEncryption(MASTER_KEY).encrypt(key, SENDER_KEY_CONTEXT);

/** A chain for one describe block: anvil, the contract deployed by the kit's sender, a reader of it. */
export interface ChainFixture {
  anvil: Anvil;
  provider: JsonRpcProvider;
  contractAddress: string;
  contract: Contract;
  /** The block the contract was deployed in: scans of "everything on chain" start here. */
  deployBlock: number;
}

export async function startChain(options: AnvilOptions = {}): Promise<ChainFixture> {
  const anvil = await startAnvil(options);
  const provider = new JsonRpcProvider(anvil.url, anvil.chainId, { staticNetwork: true, pollingInterval: 50 });
  for (const key of [SENDER_KEY, STRANGER_KEY]) await anvil.rpc('anvil_setBalance', [new Wallet(key).address, toBeHex(10n ** 22n)]);
  const { address } = await deployCredentialNft(new Wallet(SENDER_KEY, provider));
  return { anvil, provider, contractAddress: address, contract: new Contract(address, CREDENTIAL_NFT_ABI, provider), deployBlock: await provider.getBlockNumber() };
}

export const stopChain = async (fixture: ChainFixture | undefined) => {
  fixture?.provider.destroy();
  await fixture?.anvil.stop();
};

/** A kit (auth, nft, chain) on `url`, sending to the fixture's chain with fast test timings. */
export function chainKit(
  url: string,
  fixture: Pick<ChainFixture, 'anvil' | 'contractAddress'>,
  options: Partial<ChainOptions> = {},
  nftOptions: NftOptions = { defaultVisibility: 'public' },
): Promise<Kit> {
  return createKit({
    database: url,
    plugins: [
      auth(),
      nft(nftOptions),
      chain({
        rpcUrl: fixture.anvil.url,
        chainId: fixture.anvil.chainId,
        contractAddress: fixture.contractAddress,
        senderKeySealed: sealKey(SENDER_KEY),
        confirmations: 1,
        pollIntervalMs: 50,
        retryBaseMs: 50,
        retryMaxMs: 200,
        maxAttempts: 1000,
        ...options,
      }),
    ],
    logger: createLogger({ level: 'silent' }),
    config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: 'https://id.example.com', mountPath: '' },
  });
}

/** Polls `probe` until it answers something truthy (or throws after `timeoutMs`, naming `what`). */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The mint job of a token, from the kit's own store. */
export async function mintJob(kit: Kit, tokenId: string): Promise<ChainJob> {
  const jobs = await kit.services.chainJobStore.list(null, 10_000);
  const job = jobs.find((j) => j.tokenId === tokenId && j.kind === 'mint');
  if (!job) throw new Error(`no mint job for ${tokenId}`);
  return job;
}

export const jobReaches = (kit: Kit, tokenId: string, status: ChainJob['status'], timeoutMs?: number) =>
  until(
    `${tokenId} ${status}`,
    async () => {
      const job = await mintJob(kit, tokenId);
      return job.status === status ? job : null;
    },
    timeoutMs,
  );
