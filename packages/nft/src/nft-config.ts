/** Options of the nft plugin; every field has a default. */
export interface NftOptions {
  /** Chain id in the EIP-712 domain of minter signatures. Default 1. */
  chainId?: number;
  /** Name in the EIP-712 domain. Default `w3kit NFT`. */
  signatureDomainName?: string;
  /** Visibility of a newly minted token when the request does not say. Default `private`. */
  defaultVisibility?: 'public' | 'private';
  /** Lifetime of a QR verification code in seconds. Default 300 (the Web3Connect document's 5 minutes). */
  qrCodeTtlSeconds?: number;
  /** Largest `pageNum` accepted (bounds OFFSET work); a larger one is 400. Default 10000. */
  maxPageNum?: number;
  /**
   * Whether the holder may complete (step 2) a QR code it made itself. A self-scan proves no
   * second party saw the holder, so it is refused with 403 HOLDER_SELF_SCAN. Default false.
   */
  allowHolderSelfScan?: boolean;
  /**
   * Seconds after which a claimed Idempotency-Key whose token never appeared is taken over by a
   * retry: the mint that claimed it died (process or database crash) between claim and insert.
   * Until then a retry answers 409 IDEMPOTENCY_IN_PROGRESS. Default 60 (a mint takes milliseconds).
   */
  idempotencyStaleSeconds?: number;
}

export type ResolvedNftOptions = Required<NftOptions>;

export function resolveNftOptions(options: NftOptions = {}): ResolvedNftOptions {
  const resolved: ResolvedNftOptions = {
    chainId: options.chainId ?? 1,
    signatureDomainName: options.signatureDomainName ?? 'w3kit NFT',
    defaultVisibility: options.defaultVisibility ?? 'private',
    qrCodeTtlSeconds: options.qrCodeTtlSeconds ?? 300,
    maxPageNum: options.maxPageNum ?? 10_000,
    idempotencyStaleSeconds: options.idempotencyStaleSeconds ?? 60,
    allowHolderSelfScan: options.allowHolderSelfScan ?? false,
  };
  for (const key of ['chainId', 'qrCodeTtlSeconds', 'maxPageNum', 'idempotencyStaleSeconds'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] <= 0) throw new TypeError(`nft(): ${key} must be a positive integer`);
  }
  if (resolved.defaultVisibility !== 'public' && resolved.defaultVisibility !== 'private') throw new TypeError('nft(): defaultVisibility must be public or private');
  if (typeof resolved.allowHolderSelfScan !== 'boolean') throw new TypeError('nft(): allowHolderSelfScan must be a boolean');
  return resolved;
}
