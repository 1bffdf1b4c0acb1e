/** One chain sign-ins may name (`Chain ID:` of the message). */
export interface SiweChain {
  chainId: number;
  /**
   * JSON-RPC endpoint of the chain, for smart-contract wallets (EIP-1271 `isValidSignature`) and
   * counterfactual ones (EIP-6492). Without one, only externally owned accounts (ecrecover) sign in on it.
   */
  rpcUrl?: string;
}

/** Options of the siwe plugin. `allowedOrigins` and `chains` have no default: the plugin refuses to start without them. */
export interface SiweOptions {
  /**
   * The origins of the dapps whose sign-ins are accepted (`https://app.example.com`). A message's
   * `domain` (and `scheme`, when given) must be one of them, and its `uri` on that same origin.
   */
  allowedOrigins: string[];
  /** The chains a message may name. */
  chains: SiweChain[];
  /** An address no account holds signs up a new end user. Default false: it answers 404 SIWE_ACCOUNT_NOT_FOUND. */
  signUp?: boolean;
  /** When set, a message's `statement` must be exactly this; otherwise any statement (or none) is accepted. Default unset. */
  statement?: string;
  /** How long a nonce can be used, in seconds. Default 600. */
  nonceTtlSeconds?: number;
  /** How far a message's `issuedAt` may lie in the future (clock skew), in seconds. Default 60. */
  clockSkewSeconds?: number;
  /** Timeout of one JSON-RPC call to a chain, in milliseconds. Default 5000. */
  rpcTimeoutMs?: number;
}

export interface ResolvedSiweOptions {
  allowedOrigins: URL[];
  chains: Map<number, SiweChain>;
  signUp: boolean;
  statement: string | undefined;
  nonceTtlSeconds: number;
  clockSkewSeconds: number;
  rpcTimeoutMs: number;
}

/** Checks the options at composition time: a bad origin or chain is a clear startup error. */
export function resolveSiweOptions(options: SiweOptions): ResolvedSiweOptions {
  if (!Array.isArray(options?.allowedOrigins) || options.allowedOrigins.length === 0) throw new TypeError('siwe: allowedOrigins needs at least one origin (https://app.example.com)');
  if (!Array.isArray(options.chains) || options.chains.length === 0) throw new TypeError('siwe: chains needs at least one chain ({ chainId, rpcUrl? })');
  const allowedOrigins = options.allowedOrigins.map((origin) => {
    const url = new URL(origin);
    if (url.origin !== origin.replace(/\/$/, '')) throw new TypeError(`siwe: "${origin}" is not an origin (scheme://host[:port], no path)`);
    return url;
  });
  const chains = new Map<number, SiweChain>();
  for (const chain of options.chains) {
    if (!Number.isSafeInteger(chain.chainId) || chain.chainId < 1) throw new TypeError(`siwe: chain id ${chain.chainId} is not a positive integer`);
    if (chain.rpcUrl !== undefined) new URL(chain.rpcUrl);
    chains.set(chain.chainId, chain);
  }
  const positive = (name: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!(v > 0)) throw new TypeError(`siwe: ${name} must be positive`);
    return v;
  };
  return {
    allowedOrigins,
    chains,
    signUp: options.signUp ?? false,
    statement: options.statement,
    nonceTtlSeconds: positive('nonceTtlSeconds', options.nonceTtlSeconds, 600),
    clockSkewSeconds: positive('clockSkewSeconds', options.clockSkewSeconds, 60),
    rpcTimeoutMs: positive('rpcTimeoutMs', options.rpcTimeoutMs, 5000),
  };
}
