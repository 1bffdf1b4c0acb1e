/** Options of the oid4vci plugin; every field has a default. */
export interface Oid4vciOptions {
  /** Path of the plugin's protocol endpoints (token, nonce, credential, offers, status list) below the kit. Default `/oid4vci`. */
  basePath?: string;
  /** How long an offer (and its pre-authorized code) can be redeemed, in seconds. Default 600. */
  offerTtlSeconds?: number;
  /** How long a `c_nonce` from the nonce endpoint can sign a proof, in seconds. Default 300. */
  nonceTtlSeconds?: number;
  /** Lifetime of the access token the token endpoint gives, in seconds. Default 300. */
  accessTokenTtlSeconds?: number;
  /** Wrong `tx_code`s an offer takes before it is used up, counting every try. Default 5. */
  txCodeMaxAttempts?: number;
  /** Digits of a `tx_code`. Default 6. */
  txCodeLength?: number;
  /** How old (and how far in the future) a proof JWT's `iat` may be, in seconds. Default 120. */
  proofMaxAgeSeconds?: number;
  /** Lifetime of an SD-JWT VC, in seconds; 0 issues them without `exp`. Default one year. */
  credentialTtlSeconds?: number;
  /** Entries of one Token Status List (bits); indexes are drawn at random in it. Default 131072. */
  statusListSize?: number;
  /** `ttl` of the status list token, seconds a verifier may cache it. Default 60. */
  statusListTtlSeconds?: number;
  /** The `vct` of the SD-JWT VC of an account's profile. Default `<credential issuer>/credentials/account` (what @w3kit/oid4vp asks for by default). */
  profileVct?: string;
  /**
   * Wallets registered with the OP (@w3kit/oidc, when composed) for the authorization code flow:
   * public clients (no secret, PKCE S256), authorization_code only. Default none.
   */
  walletClients?: WalletClient[];
}

export interface WalletClient {
  /** The client_id the wallet sends (wallets ship a fixed one). */
  clientId: string;
  /** Shown on the OP's consent page. Default the client id. */
  name?: string;
  /** Where the OP sends the wallet back with the code (exact match). */
  redirectUris: string[];
}

export type ResolvedOid4vciOptions = Required<Omit<Oid4vciOptions, 'profileVct' | 'walletClients'>> & { profileVct: string | undefined; walletClients: Required<WalletClient>[] };

export function resolveOid4vciOptions(options: Oid4vciOptions = {}): ResolvedOid4vciOptions {
  const resolved: ResolvedOid4vciOptions = {
    basePath: '/oid4vci',
    offerTtlSeconds: 600,
    nonceTtlSeconds: 300,
    accessTokenTtlSeconds: 300,
    txCodeMaxAttempts: 5,
    txCodeLength: 6,
    proofMaxAgeSeconds: 120,
    credentialTtlSeconds: 365 * 24 * 3600,
    statusListSize: 131_072,
    statusListTtlSeconds: 60,
    ...options,
    profileVct: options.profileVct,
    walletClients: (options.walletClients ?? []).map((c) => ({ ...c, name: c.name ?? c.clientId })),
  };
  for (const client of resolved.walletClients) {
    if (!/^[\x21-\x7e]{1,100}$/.test(client.clientId)) throw new TypeError('oid4vci: a wallet client id is 1 to 100 visible ASCII characters');
    if (client.redirectUris.length === 0) throw new TypeError(`oid4vci: wallet client ${client.clientId} needs at least one redirect URI`);
  }
  for (const name of ['offerTtlSeconds', 'nonceTtlSeconds', 'accessTokenTtlSeconds', 'txCodeMaxAttempts', 'txCodeLength', 'proofMaxAgeSeconds', 'statusListSize', 'statusListTtlSeconds'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] <= 0) throw new TypeError(`oid4vci: ${name} must be a positive integer`);
  }
  if (resolved.statusListSize % 8 !== 0) throw new TypeError('oid4vci: statusListSize must be a multiple of 8');
  if (resolved.profileVct !== undefined && !/^\S+$/.test(resolved.profileVct)) throw new TypeError('oid4vci: profileVct must be a non-empty string without spaces');
  if (!/^\/[a-z0-9/_-]*[a-z0-9]$/.test(resolved.basePath)) throw new TypeError('oid4vci: basePath must look like /oid4vci');
  return resolved;
}
