import { MAX_PROOFS } from './data-integrity.js';

/** The credential formats the kit issues: a JWT (the Finenex document's `JwtProof2020`) or a Data Integrity suite. */
export const CREDENTIAL_FORMATS = ['jwt', 'eddsa-rdfc-2022', 'ecdsa-rdfc-2019', 'Ed25519Signature2020'] as const;
export type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

/** The VC data models: 1.1 (`credentials/v1`, `issuanceDate`) and 2.0 (`credentials/v2`, `validFrom`). */
export type DataModel = '1.1' | '2.0';

/** Options of the did plugin; every field has a default. */
export interface DidOptions {
  /** Chain id of the kit's own did:ethr DIDs (issuer, verifier, custodial keys). Default 1: `did:ethr:0x…` as in the Finenex document. */
  chainId?: number;
  /** did:ethr network names the resolver accepts beside ethr-did-resolver's known deployments (`{ mychain: 1337 }`). */
  networks?: Record<string, number>;
  /** Alias of the kit's issuer DIDs in `GET /did/issuers`. Default `issuer`. */
  issuerAlias?: string;
  /** Alias of the kit's verifier DID in `GET /did/verifiers`. Default `verifier`. */
  verifierAlias?: string;
  /** Lifetime of the credentials `create-vc` issues, in seconds; 0 issues them without expiry. Default one year. */
  credentialTtlSeconds?: number;
  /** Data model of Data Integrity credentials `create-vc` issues when the request names none. Default `2.0`. */
  dataIntegrityDataModel?: DataModel;
  /** How old a VP may be to log in (JWT `nbf`/`iat`, Data Integrity `proof.created`), in seconds. Default 600. */
  presentationMaxAgeSeconds?: number;
  /** Wait time of `auth-user-by-app` when the request gives none, in seconds. Default 60. */
  appLoginDefaultWaitSeconds?: number;
  /** Longest `waitTime` `auth-user-by-app` accepts, in seconds. Default 600. */
  appLoginMaxWaitSeconds?: number;
  /** How long a completed website login can still be collected, in seconds. Default 60. */
  appLoginResultTtlSeconds?: number;
  /**
   * Whether `auth-user-result-by-app` and `cancel-auth-user-by-app` require the `resultToken` that
   * `auth-user-by-app` returns. Default: true in production mode (whoever sees the QR code could
   * collect the login first), false otherwise; false in production is logged as a warning (see docs/did.md).
   */
  requireAppLoginResultToken?: boolean;
  /**
   * Account ids of organizations that may issue through the VC-API as the kit's own issuer DIDs
   * (`GET /v2/did/issuers`, the DIDs that attest accounts) and with caller-chosen past dates: the
   * operator's own organization, e.g. for the W3C conformance suites. Default none: every
   * organization issues as its own DIDs.
   */
  operatorOrganizations?: string[];
  /** How far in the past a caller-chosen `issuanceDate`/`validFrom` of a VC-API credential may lie, in seconds. Default 300. */
  issuanceDateSkewSeconds?: number;
  /** Rate-limit the unauthenticated verify endpoints per client IP (rule `did.verify`). Default true. */
  verifyRateLimit?: boolean;
  /** Largest credential or presentation the verify endpoints take, in bytes of JSON. Default 65536 (413 beyond). */
  verifyMaxBytes?: number;
  /** Most JSON values (objects, arrays, strings, numbers…) in one verified input. Default 2000 (400 beyond). */
  verifyMaxNodes?: number;
  /** Most credentials in one verified presentation. Default 16. */
  verifyMaxCredentials?: number;
  /** Most proofs on one credential or presentation. Default 4; at most `MAX_PROOFS` (8), the verifier's own ceiling. */
  verifyMaxProofs?: number;
  /** Entries of each Bitstring Status List. Default 131072 (16 KB, the spec's minimum for herd privacy). */
  statusListLength?: number;
  /** Serve the website-login demo page at `/v2/login-demo`. Default false. */
  loginDemoPage?: boolean;
  /**
   * Most issuer keys the JWT verifier keeps (one per DID and verification method: the public key
   * a verified ES256K signature recovered for a did:ethr address). Default 10000; oldest first out.
   */
  jwtKeyCacheSize?: number;
  /** How long a cached issuer key is used before it is recovered from a signature again, in seconds. Default 600. */
  jwtKeyCacheTtlSeconds?: number;
  /**
   * Resolve did:ethr of one chain through the ERC-1056 EthereumDIDRegistry (ethr-did-resolver over
   * JSON-RPC): delegates, attributes and owner changes count. Default none: every did:ethr
   * resolves offline, as the document it has before any registry change.
   */
  ethrRegistry?: EthrRegistryOptions | null;
}

/** The chain whose did:ethr DIDs resolve through the registry (standalone server: `DID_ETHR_*`). */
export interface EthrRegistryOptions {
  /** JSON-RPC URL of a node of that chain (`DID_ETHR_RPC_URL`). */
  rpcUrl: string;
  /** Its chain id (`DID_ETHR_CHAIN_ID`); DIDs of other chains resolve offline. */
  chainId: number;
  /** The registry's address (`DID_ETHR_REGISTRY`); default ethr-did-resolver's known deployment on that chain. */
  registry?: string;
  /**
   * How long a resolved document is reused, in seconds (`DID_ETHR_CACHE_SECONDS`): the longest a
   * key rotated out on chain still verifies here. Default 30; 0 asks the node every time.
   */
  cacheSeconds?: number;
}

export type ResolvedDidOptions = Required<Omit<DidOptions, 'requireAppLoginResultToken'>> & {
  /** Undefined until the plugin registers: then the mode's default (production: true). */
  requireAppLoginResultToken: boolean | undefined;
};

const positiveIntegers = [
  'chainId',
  'presentationMaxAgeSeconds',
  'appLoginDefaultWaitSeconds',
  'appLoginMaxWaitSeconds',
  'appLoginResultTtlSeconds',
  'statusListLength',
  'verifyMaxBytes',
  'verifyMaxNodes',
  'verifyMaxCredentials',
  'verifyMaxProofs',
  'jwtKeyCacheSize',
  'jwtKeyCacheTtlSeconds',
] as const;

export function resolveDidOptions(options: DidOptions = {}): ResolvedDidOptions {
  const resolved: ResolvedDidOptions = {
    chainId: options.chainId ?? 1,
    networks: options.networks ?? {},
    issuerAlias: options.issuerAlias ?? 'issuer',
    verifierAlias: options.verifierAlias ?? 'verifier',
    credentialTtlSeconds: options.credentialTtlSeconds ?? 365 * 24 * 3600,
    dataIntegrityDataModel: options.dataIntegrityDataModel ?? '2.0',
    presentationMaxAgeSeconds: options.presentationMaxAgeSeconds ?? 600,
    appLoginDefaultWaitSeconds: options.appLoginDefaultWaitSeconds ?? 60,
    appLoginMaxWaitSeconds: options.appLoginMaxWaitSeconds ?? 600,
    appLoginResultTtlSeconds: options.appLoginResultTtlSeconds ?? 60,
    requireAppLoginResultToken: options.requireAppLoginResultToken,
    operatorOrganizations: options.operatorOrganizations ?? [],
    issuanceDateSkewSeconds: options.issuanceDateSkewSeconds ?? 300,
    verifyRateLimit: options.verifyRateLimit ?? true,
    verifyMaxBytes: options.verifyMaxBytes ?? 65536,
    verifyMaxNodes: options.verifyMaxNodes ?? 2000,
    verifyMaxCredentials: options.verifyMaxCredentials ?? 16,
    verifyMaxProofs: options.verifyMaxProofs ?? 4,
    statusListLength: options.statusListLength ?? 131072,
    loginDemoPage: options.loginDemoPage ?? false,
    jwtKeyCacheSize: options.jwtKeyCacheSize ?? 10_000,
    jwtKeyCacheTtlSeconds: options.jwtKeyCacheTtlSeconds ?? 600,
    ethrRegistry: options.ethrRegistry ?? null,
  };
  for (const key of positiveIntegers) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] <= 0) throw new TypeError(`did(): ${key} must be a positive integer`);
  }
  if (resolved.verifyMaxProofs > MAX_PROOFS) throw new TypeError(`did(): verifyMaxProofs must be at most ${MAX_PROOFS}, the most proofs the verifier checks`);
  if (!Number.isSafeInteger(resolved.credentialTtlSeconds) || resolved.credentialTtlSeconds < 0) {
    throw new TypeError('did(): credentialTtlSeconds must be a non-negative integer (0: no expiry)');
  }
  if (!Number.isSafeInteger(resolved.issuanceDateSkewSeconds) || resolved.issuanceDateSkewSeconds < 0) {
    throw new TypeError('did(): issuanceDateSkewSeconds must be a non-negative integer');
  }
  if (!Array.isArray(resolved.operatorOrganizations) || resolved.operatorOrganizations.some((id) => typeof id !== 'string' || id.length === 0)) {
    throw new TypeError('did(): operatorOrganizations must be a list of account ids');
  }
  if (resolved.requireAppLoginResultToken !== undefined && typeof resolved.requireAppLoginResultToken !== 'boolean') {
    throw new TypeError('did(): requireAppLoginResultToken must be true or false');
  }
  if (resolved.appLoginDefaultWaitSeconds > resolved.appLoginMaxWaitSeconds) {
    throw new TypeError('did(): appLoginDefaultWaitSeconds must not exceed appLoginMaxWaitSeconds');
  }
  // A bitstring is stored and sent as whole bytes; the spec asks for at least 16 KB.
  if (resolved.statusListLength % 8 !== 0) throw new TypeError('did(): statusListLength must be a multiple of 8');
  if (resolved.dataIntegrityDataModel !== '1.1' && resolved.dataIntegrityDataModel !== '2.0') {
    throw new TypeError('did(): dataIntegrityDataModel must be "1.1" or "2.0"');
  }
  for (const [name, chainId] of Object.entries(resolved.networks)) {
    if (!/^[a-z][a-z0-9:-]*$/.test(name)) throw new TypeError(`did(): networks: "${name}" is not a did:ethr network name (a-z, 0-9, -, :)`);
    if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new TypeError(`did(): networks.${name} must be a positive chain id`);
  }
  const registry = resolved.ethrRegistry;
  if (registry) {
    if (typeof registry.rpcUrl !== 'string' || !/^(https?|wss?):\/\//.test(registry.rpcUrl)) throw new TypeError('did(): ethrRegistry.rpcUrl must be an http(s) or ws(s) URL');
    if (!Number.isSafeInteger(registry.chainId) || registry.chainId <= 0) throw new TypeError('did(): ethrRegistry.chainId must be a positive chain id');
    if (registry.registry !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(registry.registry)) throw new TypeError('did(): ethrRegistry.registry must be a contract address');
    if (registry.cacheSeconds !== undefined && (!Number.isSafeInteger(registry.cacheSeconds) || registry.cacheSeconds < 0))
      throw new TypeError('did(): ethrRegistry.cacheSeconds must be a non-negative integer');
  }
  for (const key of ['issuerAlias', 'verifierAlias'] as const) {
    if (typeof resolved[key] !== 'string' || resolved[key].length === 0 || resolved[key].length > 64) throw new TypeError(`did(): ${key} must be 1-64 characters`);
  }
  return resolved;
}
