import type { KitServices } from '@w3kit/core';
import { asFunction, asValue } from '@w3kit/core';
import type { KitPlugin } from '@w3kit/core';
import { JsonRpcProvider, Wallet } from 'ethers';
import { resolveChainOptions, SENDER_KEY_CONTEXT, type ChainOptions, type ResolvedChainOptions } from './chain-config.js';
import { createEvmLedger } from './evm-ledger.js';
import type { JobStore } from './job-store.js';
import { createKyselyJobStore } from './kysely-job-store.js';
import { chainMigrations } from './schema.js';
import { createTransactionPipeline, type TransactionPipeline } from './transaction-pipeline.js';

declare module '@w3kit/core' {
  interface KitServices {
    chainOptions: ResolvedChainOptions;
    chainJobStore: JobStore;
    transactionPipeline: TransactionPipeline;
  }
}

/**
 * Credential NFTs on an EVM chain: registers core's `ledger` (the nft plugin mints through it
 * when it is there) and runs the transaction pipeline on every instance.
 */
export function chain(options: ChainOptions) {
  const resolved = resolveChainOptions(options);
  return {
    name: 'chain',
    migrations: chainMigrations,
    register(container) {
      // no response cache (ethers keeps answers 250 ms by default): a stale nonce count or receipt misleads the pipeline
      const provider = new JsonRpcProvider(resolved.rpcUrl, resolved.chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: Math.min(resolved.pollIntervalMs, 4000) });
      container.register({
        chainOptions: asValue(resolved),
        chainJobStore: asFunction(({ database }: KitServices) => createKyselyJobStore(database)).singleton(),
        ledger: asFunction(({ chainJobStore, clock }: KitServices) => createEvmLedger({ jobStore: chainJobStore, clock })).singleton(),
        transactionPipeline: asFunction(({ chainJobStore, clock, logger, encryption }: KitServices) => {
          // the key is sealed under the master key like every key of the kit, opened only in memory
          const sender = new Wallet(encryption.decrypt(resolved.senderKeySealed, SENDER_KEY_CONTEXT).toString('utf8'), provider);
          return createTransactionPipeline({ jobStore: chainJobStore, sender, provider, clock, logger, options: resolved });
        })
          .singleton()
          .disposer(async (pipeline) => {
            await pipeline.stop();
            provider.destroy();
          }),
      });
    },
    onReady({ transactionPipeline }) {
      if (resolved.worker) transactionPipeline.start();
    },
  } satisfies KitPlugin;
}

export { resolveChainOptions, SENDER_KEY_CONTEXT, type ChainOptions, type ResolvedChainOptions } from './chain-config.js';
export { deployCredentialNft } from './deploy.js';
export { CREDENTIAL_NFT_ABI, CREDENTIAL_NFT_BYTECODE } from './credential-nft-artifact.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER } from './webhooks.js';
export { chainMigrations, type ChainTables } from './schema.js';
export type { JobStore, ChainJob } from './job-store.js';
export type { TransactionPipeline } from './transaction-pipeline.js';
export { sealSenderKey, deployWithSealedKey } from './operator.js';
