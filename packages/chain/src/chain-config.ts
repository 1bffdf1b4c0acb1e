/** Options of the chain plugin: which chain, which contract, who sends, and how the pipeline behaves. */
export interface ChainOptions {
  /** JSON-RPC URL of the chain's node. Required. */
  rpcUrl: string;
  /** The chain id; the kit refuses to sign for another (checked against the node). Required. */
  chainId: number;
  /** Address of the deployed W3kitCredentialNft contract (`w3kit chain deploy`). Required. */
  contractAddress: string;
  /**
   * The sender's private key sealed under the master key (`w3kit chain seal-key`), never the key
   * itself: it is opened in memory with the kit's envelope encryption. Required.
   */
  senderKeySealed: string;
  /** Blocks on top of a transaction's block (its own included) before a job is `confirmed`. Default 2. */
  confirmations?: number;
  /** Attempts at a job's RPC calls before it is `failed` (before it holds a nonce). Default 8. */
  maxAttempts?: number;
  /** First retry delay in ms; doubles per attempt up to `retryMaxMs`. Default 500. */
  retryBaseMs?: number;
  /** Longest retry delay in ms. Default 30000. */
  retryMaxMs?: number;
  /** How often each instance's worker looks for work, in ms. Default 1000. */
  pollIntervalMs?: number;
  /** How long a claimed job or delivery is a worker's own before another may take it, in ms. Default 30000. */
  leaseMs?: number;
  /** A sent transaction not mined after this many ms is re-signed with higher fees (same nonce). Default 30000. */
  stuckAfterMs?: number;
  /** Percent added to both EIP-1559 fees at each bump (at least the chain's current fees). Default 15. */
  bumpPercent?: number;
  /** Jobs one worker claims per round. Default 16. */
  batchSize?: number;
  /** URLs that get a signed POST on every status change of a job. Default none. */
  webhookUrls?: readonly string[];
  /** HMAC-SHA256 key of the `x-w3kit-signature` header; required when `webhookUrls` is set. */
  webhookSecret?: string;
  /** Attempts at one webhook delivery before it is abandoned (recorded). Default 8. */
  webhookMaxAttempts?: number;
  /** Run the worker in this instance (false: only enqueue, another instance sends). Default true. */
  worker?: boolean;
}

export type ResolvedChainOptions = Required<Omit<ChainOptions, 'webhookSecret'>> & { webhookSecret: string };

export function resolveChainOptions(options: ChainOptions): ResolvedChainOptions {
  const resolved: ResolvedChainOptions = {
    rpcUrl: options.rpcUrl,
    chainId: options.chainId,
    contractAddress: options.contractAddress,
    senderKeySealed: options.senderKeySealed,
    confirmations: options.confirmations ?? 2,
    maxAttempts: options.maxAttempts ?? 8,
    retryBaseMs: options.retryBaseMs ?? 500,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    leaseMs: options.leaseMs ?? 30_000,
    stuckAfterMs: options.stuckAfterMs ?? 30_000,
    bumpPercent: options.bumpPercent ?? 15,
    batchSize: options.batchSize ?? 16,
    webhookUrls: options.webhookUrls ?? [],
    webhookSecret: options.webhookSecret ?? '',
    webhookMaxAttempts: options.webhookMaxAttempts ?? 8,
    worker: options.worker ?? true,
  };
  if (!/^https?:\/\//.test(resolved.rpcUrl ?? '')) throw new TypeError('chain(): rpcUrl must be an http(s) URL');
  if (!/^0x[0-9a-fA-F]{40}$/.test(resolved.contractAddress ?? '')) throw new TypeError('chain(): contractAddress must be a 0x address');
  if (typeof resolved.senderKeySealed !== 'string' || resolved.senderKeySealed === '') throw new TypeError('chain(): senderKeySealed is required (w3kit chain seal-key)');
  const positive = ['chainId', 'confirmations', 'maxAttempts', 'retryBaseMs', 'retryMaxMs', 'pollIntervalMs', 'leaseMs', 'stuckAfterMs', 'bumpPercent', 'batchSize', 'webhookMaxAttempts'] as const;
  for (const key of positive) {
    if (!Number.isInteger(resolved[key]) || resolved[key] <= 0) throw new TypeError(`chain(): ${key} must be a positive integer`);
  }
  if (resolved.webhookUrls.some((u) => !/^https?:\/\//.test(u))) throw new TypeError('chain(): every webhook URL must be http(s)');
  if (resolved.webhookUrls.length > 0 && resolved.webhookSecret.length < 16) throw new TypeError('chain(): webhookSecret (16 characters or more) is required with webhookUrls');
  return resolved;
}

/** The envelope-encryption context the sender key is sealed under (a key sealed for another use does not open here). */
export const SENDER_KEY_CONTEXT = 'w3kit chain sender key';
