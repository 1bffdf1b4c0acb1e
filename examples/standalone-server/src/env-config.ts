import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createProxyMatcher, persistedDevelopmentSecret, SERVE_DEFAULTS, weakKeyReason } from '@w3kit/core';

/**
 * The standalone server's configuration, read from environment variables. Each variable is
 * documented in the README's configuration table; this is the one place that reads them.
 */
export interface ServerConfig {
  /** `NODE_ENV`: `production` turns on production mode; anything else is development. */
  mode: 'development' | 'production' | 'test';
  /** `PORT`, default 3000. */
  port: number;
  /** `HOST`, default 127.0.0.1 (only this machine); set 0.0.0.0 behind a load balancer. */
  host: string;
  /** `W3KIT_DATA_DIR`, default `./data`: the SQLite file and generated development keys. */
  dataDir: string;
  /** `DATABASE_URL`, default `sqlite:<dataDir>/w3kit.db`; `mysql://user:pass@host:port/db` for MySQL/MariaDB, `postgres://…` for PostgreSQL. */
  databaseUrl: string;
  /** `PUBLIC_URL`, default `http://127.0.0.1:<port>`: base URL in links, token URIs and the button JS; https in production. */
  publicUrl: string;
  /** `W3KIT_ALLOW_HTTP_PUBLIC_URL=1`: production accepts an `http:` PUBLIC_URL (a TLS-terminating proxy on this host serves the https one); logged at startup. */
  allowHttpPublicUrl: boolean;
  /** `TRUSTED_PROXIES`, comma-separated IPs and CIDRs whose X-Forwarded-For is believed; default none (the socket's peer is the client). */
  trustedProxies: string[];
  /** `DOCS`, `true` (default) or `false`: serve `/docs` and `/openapi.json`. */
  serveDocs: boolean;
  /** `HSTS_MAX_AGE_SECONDS`, default 31536000: Strict-Transport-Security in production with an https PUBLIC_URL; 0 sends none. */
  hstsMaxAgeSeconds: number;
  /** `HTTP_REQUEST_TIMEOUT_MS` (30000), `HTTP_HEADERS_TIMEOUT_MS` (15000), `HTTP_KEEP_ALIVE_TIMEOUT_MS` (5000), `HTTP_MAX_CONNECTIONS` (1000): the HTTP server's limits. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number };
  /** `ATTESTATION_APP_ORIGIN`: the dapp's origin, the only one the OAuth redirect pages post their message to; required in production (default `*` elsewhere). */
  attestationAppOrigin: string | undefined;
  /** `W3KIT_MASTER_KEY`, 64 hex characters; generated into `<dataDir>/master-key` in development. */
  masterKey: string;
  /** `W3KIT_PREVIOUS_MASTER_KEYS`, comma-separated: earlier keys that still decrypt during a rotation. */
  previousMasterKeys: string[];
  /** `LOG_LEVEL`, default `info`. */
  logLevel: string;
  /** `LOG_FORMAT`, `pretty` or `json`; default `pretty` in development (one readable line per event), `json` otherwise; production refuses `pretty`. */
  logFormat: 'pretty' | 'json';
  /** `W3KIT_DEV_OUTBOX_KEEP`, default 200: how many messages `/dev/outbox` keeps (development only; production has no outbox). */
  devOutboxKeep: number;
  /** `DNS_SERVERS`, comma-separated `host:port` resolvers for DNS checks; default: the system's. */
  dnsServers: string[];
  /** `SESSION_LIFETIME_SECONDS`, default 2592000 (30 days): how long a sign-in can be extended, from the sign-in. */
  sessionLifetimeSeconds: number;
  /** `SMTP_URL` (`smtp://user:pass@host:port`, `smtps://…`); unset: email is logged (development only). */
  smtpUrl: string | undefined;
  /** STARTTLS is mandatory for an `smtp://` SMTP_URL: in production, unless the relay is on this host (loopback). */
  smtpRequireTls: boolean;
  /** `ATTESTATION_SIGNER_KEY`, 0x + 64 hex: the key that signs attestations; generated in development, required in production. */
  attestationSignerKey: string | undefined;
  /** `ATTESTATION_SIGNATURE_FORM`, `bytes32` (default, valid in Origin's on-chain ClaimVerifier) or `legacy-hex-string` (the Origin attestations document samples' form). */
  attestationSignatureForm: 'bytes32' | 'legacy-hex-string';
  /** `PHONE_NUMBER_CHECK`, `valid` (default: assigned in its country's plan) or `possible` (length only; admits the Origin attestations document's 5555555555). */
  phoneNumberCheck: 'valid' | 'possible';
  /** `EMAIL_FROM`: the From header of emailed codes; default `w3kit <no-reply@<PUBLIC_URL host>>`. */
  emailFrom: string;
  /** `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_FROM`, `TWILIO_BASE_URL`: SMS through Twilio's Messages API (or a compatible one); unset: SMS is logged (development only). */
  twilio: { accountSid: string; authToken: string; from: string; baseUrl: string | undefined } | undefined;
  /** `FACEBOOK_APP_ID`, `FACEBOOK_APP_SECRET`, `FACEBOOK_DIALOG_URL`, `FACEBOOK_GRAPH_URL`, `FACEBOOK_GRAPH_VERSION`: the Facebook attestation; unset: it answers "not configured". */
  facebook: { appId: string; appSecret: string; dialogBaseUrl: string | undefined; graphBaseUrl: string | undefined; graphVersion: string | undefined } | undefined;
  /** `TWITTER_CONSUMER_KEY`, `TWITTER_CONSUMER_SECRET`, `TWITTER_API_URL`: the Twitter attestation; unset: it answers "not configured". */
  twitter: { consumerKey: string; consumerSecret: string; apiBaseUrl: string | undefined } | undefined;
  /** `DID_CHAIN_ID`, default 1: the chain of the kit's own did:ethr DIDs (`did:ethr:0x…` on 1, `did:ethr:0x<hex id>:0x…` elsewhere). */
  didChainId: number;
  /** `DID_LOGIN_DEMO`, `true` or `false`; default true except in production: the website-login demo page at `/v2/login-demo`. */
  didLoginDemo: boolean;
  /** `DID_APP_LOGIN_RESULT_TOKEN`, `required` or `optional`; default `required` in production, `optional` elsewhere: whether website-login result and cancel need the resultToken. */
  didAppLoginResultToken: boolean | undefined;
  /** `DID_OPERATOR_ORGANIZATIONS`, comma-separated account ids; default none: organizations that may issue through the VC-API as the kit's own issuer DIDs. */
  didOperatorOrganizations: string[];
  /** `DID_VERIFY_RATE_LIMIT`, verifications per minute per client IP or `off`; default the did plugin's 120 (rule `did.verify`). */
  didVerifyRateLimit: number | 'off' | undefined;
  /**
   * `DID_ETHR_RPC_URL`, `DID_ETHR_CHAIN_ID` (default `DID_CHAIN_ID`), `DID_ETHR_REGISTRY` (default
   * ethr-did-resolver's deployment on that chain), `DID_ETHR_CACHE_SECONDS` (default 30); unset:
   * did:ethr resolves offline. With a URL, that chain's did:ethr resolves through its ERC-1056 registry.
   */
  didEthrRegistry: { rpcUrl: string; chainId: number; registry?: string; cacheSeconds: number } | undefined;
  /** `SIWE_ALLOWED_ORIGINS`, comma-separated origins; default the origin of `PUBLIC_URL`: the dapps whose Sign-In with Ethereum messages are accepted. */
  siweAllowedOrigins: string[];
  /** `SIWE_CHAINS`, comma-separated `chainId` or `chainId=rpcUrl`; default `1`: the chains sign-ins may name, with the JSON-RPC endpoint that checks smart-contract wallets (EOAs need none). */
  siweChains: { chainId: number; rpcUrl?: string }[];
  /** `SIWE_SIGN_UP`, `true` or `false`; default false: whether an address no account holds signs up a new end user. */
  siweSignUp: boolean;
  /** `SIWE_STATEMENT`: when set, the statement every Sign-In with Ethereum message must carry. */
  siweStatement: string | undefined;
  /** `OIDC`, `true` (default) or `false`: compose the OpenID Connect provider (its issuer must be https in production). */
  oidcEnabled: boolean;
  /** `OID4VCI`, `true` (default) or `false`: compose the OpenID4VCI credential issuer (its identifier, `PUBLIC_URL`, must be https in production). */
  oid4vciEnabled: boolean;
  /** `OID4VCI_OFFER_TTL_SECONDS`, default 600: how long a credential offer (and its pre-authorized code and tx_code) can be redeemed. */
  oid4vciOfferTtlSeconds: number;
  /** `OID4VCI_WALLET_CLIENTS`, `id=redirect_uri,…` (an id repeated for more URIs), default none: public wallet clients of the OP for the authorization code flow. */
  oid4vciWalletClients: { clientId: string; redirectUris: string[] }[];
  /** `OIDC_SIGNING_ALGORITHM`, `RS256` (default), `ES256` or `EdDSA`: the OpenID provider's ID token keys. */
  oidcSigningAlgorithm: 'RS256' | 'ES256' | 'EdDSA';
  /** `OIDC_DYNAMIC_REGISTRATION`, `true` or `false` (default): OpenID Connect dynamic client registration at `/oidc/reg`. */
  oidcDynamicRegistration: boolean;
  /** `OIDC_REFRESH_TOKEN_TTL_SECONDS`, default 1209600 (14 days): lifetime of the OP's refresh tokens and grants. */
  oidcRefreshTokenTtlSeconds: number;
  /**
   * `W3KIT_CHAIN_RPC_URL`, `W3KIT_CHAIN_ID`, `W3KIT_CHAIN_CONTRACT`, `W3KIT_CHAIN_SENDER_KEY_SEALED`,
   * `W3KIT_CHAIN_CONFIRMATIONS` (2), `W3KIT_CHAIN_WEBHOOK_URLS`, `W3KIT_CHAIN_WEBHOOK_SECRET`: credential
   * NFTs on an EVM chain (docs/chain.md); unset RPC URL: database only. The contract address is
   * unset before `w3kit chain deploy`: the server then runs database only and says so.
   */
  chain: { rpcUrl: string; chainId: number; contractAddress: string | undefined; senderKeySealed: string; confirmations: number; webhookUrls: string[]; webhookSecret: string | undefined } | undefined;
  /** `OID4VP`, `true` or `false` (default): compose the OpenID4VP verifier (login with the kit's SD-JWT VC; needs an https PUBLIC_URL and the oid4vci issuer). */
  oid4vpEnabled: boolean;
  /** `OID4VP_LOGIN_PAGE`, `true` or `false` (default): serve the OpenID4VP demo login page at `/oid4vp/login`. */
  oid4vpLoginPage: boolean;
  /** `OID4VP_VCT`: the vct a login asks for; default `<PUBLIC_URL>/credentials/account`. */
  oid4vpVct: string | undefined;
  /** What was filled in with a development default, to say so loudly at startup. */
  developmentDefaults: string[];
}

export class EnvConfigError extends Error {
  override readonly name = 'EnvConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** The chain settings, all together or none (no RPC URL: database only). */
function chainSettings(env: Env, problems: string[]): ServerConfig['chain'] {
  const rpcUrl = env['W3KIT_CHAIN_RPC_URL'];
  if (rpcUrl === undefined || rpcUrl === '') return undefined;
  if (!/^https?:\/\/\S+$/.test(rpcUrl)) problems.push('W3KIT_CHAIN_RPC_URL: must be an http(s) URL');
  const chainId = Number(env['W3KIT_CHAIN_ID'] ?? '');
  if (!/^[1-9]\d{0,14}$/.test(env['W3KIT_CHAIN_ID'] ?? '')) problems.push('W3KIT_CHAIN_ID: required with W3KIT_CHAIN_RPC_URL (a positive integer)');
  const contractAddress = env['W3KIT_CHAIN_CONTRACT'] || undefined;
  if (contractAddress !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(contractAddress)) problems.push('W3KIT_CHAIN_CONTRACT: must be a 0x address (from `w3kit chain deploy`)');
  const senderKeySealed = env['W3KIT_CHAIN_SENDER_KEY_SEALED'] ?? '';
  if (senderKeySealed === '') problems.push('W3KIT_CHAIN_SENDER_KEY_SEALED: required with W3KIT_CHAIN_RPC_URL (`w3kit chain seal-key` makes it)');
  const confirmationsVar = env['W3KIT_CHAIN_CONFIRMATIONS'] ?? '2';
  const confirmations = /^\d{1,4}$/.test(confirmationsVar) ? Number(confirmationsVar) : NaN;
  if (!(confirmations > 0)) problems.push('W3KIT_CHAIN_CONFIRMATIONS: a positive number of blocks');
  const webhookUrls = (env['W3KIT_CHAIN_WEBHOOK_URLS'] ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (webhookUrls.some((u) => !/^https?:\/\/\S+$/.test(u))) problems.push('W3KIT_CHAIN_WEBHOOK_URLS: comma-separated http(s) URLs');
  const webhookSecret = env['W3KIT_CHAIN_WEBHOOK_SECRET'];
  if (webhookUrls.length > 0 && (webhookSecret ?? '').length < 16) problems.push('W3KIT_CHAIN_WEBHOOK_SECRET: required with W3KIT_CHAIN_WEBHOOK_URLS (16 characters or more)');
  return { rpcUrl, chainId, contractAddress, senderKeySealed, confirmations, webhookUrls, webhookSecret };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/** A yes/no variable: `1`/`true` or `0`/`false`; anything else is a problem. */
function flag(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  problems.push(`${name}: use true or false (or 1 or 0)`);
  return fallback;
}

/** A positive integer variable (milliseconds, counts), or its default. */
function positiveInteger(env: Env, name: string, fallback: number, problems: string[], minimum = 1): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) < minimum) {
    problems.push(`${name}: "${value}" is not an integer of at least ${minimum}`);
    return fallback;
  }
  return Number(value);
}

/** Variables that only work together: all set (returned) or none (undefined); anything between is a problem. */
function settingGroup<K extends string>(env: Env, names: Record<K, string>, optional: readonly NoInfer<K>[], problems: string[], production: boolean): Record<K, string | undefined> | undefined {
  const values = Object.fromEntries(Object.entries<string>(names).map(([key, name]) => [key, env[name]])) as Record<K, string | undefined>;
  const required = (Object.keys(names) as K[]).filter((key) => !optional.includes(key));
  const given = required.filter((key) => values[key] !== undefined && values[key] !== '');
  if (given.length === 0 && (Object.keys(names) as K[]).every((key) => values[key] === undefined)) return undefined;
  const missing = required.filter((key) => !given.includes(key)).map((key) => names[key]);
  if (missing.length > 0) {
    problems.push(
      `${missing.join(', ')}: required with ${Object.values<string>(names)
        .filter((n) => !missing.includes(n) && env[n] !== undefined)
        .join(', ')}`,
    );
    return undefined;
  }
  for (const key of optional) {
    const value = values[key];
    if (value === undefined || !names[key].endsWith('_URL')) continue;
    if (!HTTP_URL.test(value)) problems.push(`${names[key]}: "${value}" is not an http(s) URL`);
    // the app secret or auth token goes to this URL: never in clear in production
    else if (production && !value.startsWith('https:')) problems.push(`${names[key]}: must be https: in production (it carries the provider credentials)`);
  }
  return values;
}

export function loadServerConfig(env: Env = process.env, cwd = process.cwd()): ServerConfig {
  const problems: string[] = [];
  const developmentDefaults: string[] = [];
  const mode = env['NODE_ENV'] === 'production' ? 'production' : env['NODE_ENV'] === 'test' ? 'test' : 'development';
  const production = mode === 'production';

  const port = Number(env['PORT'] ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT: "${env['PORT']}" is not a port number (0-65535)`);
  const host = env['HOST'] ?? '127.0.0.1';
  const dataDir = resolve(cwd, env['W3KIT_DATA_DIR'] ?? 'data');

  const databaseUrl = env['DATABASE_URL'] ?? `sqlite:${join(dataDir, 'w3kit.db')}`;
  if (!/^(sqlite:.+|mysql:\/\/.+|mariadb:\/\/.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    problems.push('DATABASE_URL: use sqlite:<file>, sqlite::memory:, mysql://user:password@host:port/database or postgres://user:password@host:port/database');
  }
  if (env['DATABASE_URL'] === undefined) {
    // an implicit SQLite file in production is one instance's private database, usually by accident
    if (production) problems.push('DATABASE_URL: required in production (mysql://user:password@host:port/database, or sqlite:<file> said explicitly)');
    developmentDefaults.push(`DATABASE_URL (SQLite in ${dataDir})`);
  }

  let publicUrl = env['PUBLIC_URL'] ?? `http://127.0.0.1:${port}`;
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl)) problems.push(`PUBLIC_URL: "${publicUrl}" is not an http(s) URL`);
  publicUrl = publicUrl.replace(/\/+$/, '');
  if (env['PUBLIC_URL'] === undefined) {
    if (production) problems.push('PUBLIC_URL: required in production (the URL clients reach this server at)');
    developmentDefaults.push('PUBLIC_URL');
  }
  const allowHttpPublicUrl = flag(env, 'W3KIT_ALLOW_HTTP_PUBLIC_URL', false, problems);
  if (production && env['PUBLIC_URL'] !== undefined && publicUrl.startsWith('http:') && !allowHttpPublicUrl) {
    problems.push('PUBLIC_URL: must be https: in production; behind a TLS-terminating proxy on this host that serves an http: URL, set W3KIT_ALLOW_HTTP_PUBLIC_URL=1');
  }
  const trustedProxies = (env['TRUSTED_PROXIES'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  try {
    createProxyMatcher(trustedProxies);
  } catch (error) {
    problems.push(`TRUSTED_PROXIES: ${(error as Error).message.replace(/^trustedProxies: /, '')}`);
  }
  const serveDocs = flag(env, 'DOCS', true, problems);
  const hstsMaxAgeSeconds = positiveInteger(env, 'HSTS_MAX_AGE_SECONDS', 31_536_000, problems, 0);
  const http = {
    requestTimeoutMs: positiveInteger(env, 'HTTP_REQUEST_TIMEOUT_MS', SERVE_DEFAULTS.requestTimeoutMs, problems),
    headersTimeoutMs: positiveInteger(env, 'HTTP_HEADERS_TIMEOUT_MS', SERVE_DEFAULTS.headersTimeoutMs, problems),
    keepAliveTimeoutMs: positiveInteger(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', SERVE_DEFAULTS.keepAliveTimeoutMs, problems),
    maxConnections: positiveInteger(env, 'HTTP_MAX_CONNECTIONS', SERVE_DEFAULTS.maxConnections, problems),
  };
  if (http.headersTimeoutMs > http.requestTimeoutMs) problems.push('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS');

  let masterKey = env['W3KIT_MASTER_KEY'] ?? '';
  if (env['W3KIT_MASTER_KEY'] === undefined) {
    if (production) problems.push('W3KIT_MASTER_KEY: required in production (32 bytes as 64 hex characters: `openssl rand -hex 32`)');
    else {
      masterKey = persistedDevelopmentSecret(dataDir, 'master-key', () => randomBytes(32).toString('hex'));
      developmentDefaults.push(`W3KIT_MASTER_KEY (generated into ${join(dataDir, 'master-key')})`);
    }
  } else if (!HEX_KEY.test(masterKey)) problems.push('W3KIT_MASTER_KEY: must be 64 hex characters (32 bytes)');
  else if (production && weakKeyReason(masterKey)) problems.push(`W3KIT_MASTER_KEY: ${weakKeyReason(masterKey)}; use a random key (\`openssl rand -hex 32\`)`);

  const previousMasterKeys = (env['W3KIT_PREVIOUS_MASTER_KEYS'] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (previousMasterKeys.some((k) => !HEX_KEY.test(k))) problems.push('W3KIT_PREVIOUS_MASTER_KEYS: each key must be 64 hex characters');

  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = env['LOG_FORMAT'] || (mode === 'development' ? 'pretty' : 'json');
  if (logFormat !== 'pretty' && logFormat !== 'json') problems.push(`LOG_FORMAT: "${logFormat}" is not one of pretty, json`);
  // log collectors parse one JSON object per line; a readable console is for a person at a terminal
  else if (production && logFormat === 'pretty') problems.push('LOG_FORMAT: pretty is for development; production logs JSON lines');
  const devOutboxKeep = positiveInteger(env, 'W3KIT_DEV_OUTBOX_KEEP', 200, problems);
  if (devOutboxKeep > 10_000) problems.push(`W3KIT_DEV_OUTBOX_KEEP: ${devOutboxKeep} is more than 10000`);

  const dnsServers = (env['DNS_SERVERS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const server of dnsServers) {
    if (!/^(\[[0-9a-fA-F:]+\]|[^:\s]+)(:\d{1,5})?$/.test(server)) problems.push(`DNS_SERVERS: "${server}" is not host or host:port`);
  }

  const sessionLifetimeVar = env['SESSION_LIFETIME_SECONDS'] ?? '2592000';
  const sessionLifetimeSeconds = /^\d{1,10}$/.test(sessionLifetimeVar) ? Number(sessionLifetimeVar) : NaN;
  if (!(sessionLifetimeSeconds > 0)) problems.push(`SESSION_LIFETIME_SECONDS: "${sessionLifetimeVar}" is not a number of seconds (a positive integer)`);

  const smtpUrl = env['SMTP_URL'];
  if (smtpUrl !== undefined && !/^smtps?:\/\/\S+$/.test(smtpUrl)) problems.push('SMTP_URL: use smtp://user:password@host:port or smtps://…');
  // codes and links travel in the mail: a relay elsewhere must take them over TLS (smtps://, or smtp:// with STARTTLS
  // made mandatory, so a stripped STARTTLS offer fails the send instead of sending in clear)
  const smtpRequireTls = production && smtpUrl !== undefined && smtpUrl.startsWith('smtp:') && !LOOPBACK_HOST.test(/^smtp:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?]*)/.exec(smtpUrl)?.[1] ?? '');

  let attestationSignerKey = env['ATTESTATION_SIGNER_KEY'];
  if (attestationSignerKey !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(attestationSignerKey)) {
    problems.push('ATTESTATION_SIGNER_KEY: must be a hex private key (0x + 64 hex characters)');
  }
  if (attestationSignerKey === undefined && !production && problems.length === 0) {
    attestationSignerKey = persistedDevelopmentSecret(dataDir, 'attestation-signer-key', () => `0x${randomBytes(32).toString('hex')}`);
    developmentDefaults.push('ATTESTATION_SIGNER_KEY (generated)');
  }

  if (attestationSignerKey === undefined && production) problems.push('ATTESTATION_SIGNER_KEY: required in production (the key that signs attestations)');
  const signerWeakness = production && attestationSignerKey !== undefined && /^(0x)?[0-9a-fA-F]{64}$/.test(attestationSignerKey) ? weakKeyReason(attestationSignerKey.replace(/^0x/, '')) : undefined;
  if (signerWeakness) problems.push(`ATTESTATION_SIGNER_KEY: ${signerWeakness}; use a random key (0x + \`openssl rand -hex 32\`)`);
  const attestationAppOrigin = env['ATTESTATION_APP_ORIGIN'];
  if (attestationAppOrigin !== undefined && !/^https?:\/\/[^\s/]+$/.test(attestationAppOrigin)) {
    problems.push(`ATTESTATION_APP_ORIGIN: "${attestationAppOrigin}" is not an origin (scheme and host, no path: https://dapp.example)`);
  } else if (attestationAppOrigin === undefined && production) {
    problems.push("ATTESTATION_APP_ORIGIN: required in production (the dapp's origin, e.g. https://dapp.example: the only page the OAuth redirect pages hand their code to)");
  }

  const attestationSignatureForm = env['ATTESTATION_SIGNATURE_FORM'] ?? 'bytes32';
  if (attestationSignatureForm !== 'bytes32' && attestationSignatureForm !== 'legacy-hex-string') {
    problems.push(`ATTESTATION_SIGNATURE_FORM: "${attestationSignatureForm}" is not bytes32 or legacy-hex-string`);
  }
  const phoneNumberCheck = env['PHONE_NUMBER_CHECK'] ?? 'valid';
  if (phoneNumberCheck !== 'valid' && phoneNumberCheck !== 'possible') problems.push(`PHONE_NUMBER_CHECK: "${phoneNumberCheck}" is not valid or possible`);

  const emailFrom = env['EMAIL_FROM'] ?? `w3kit <no-reply@${/^https?:\/\/([^\s/:]+)/.exec(publicUrl)?.[1] ?? 'localhost'}>`;
  const twilioVars = settingGroup(env, { accountSid: 'TWILIO_ACCOUNT_SID', authToken: 'TWILIO_AUTH_TOKEN', from: 'TWILIO_FROM', baseUrl: 'TWILIO_BASE_URL' }, ['baseUrl'], problems, production);
  if (twilioVars && !/^AC[0-9a-zA-Z]{8,}$/.test(twilioVars.accountSid!)) problems.push('TWILIO_ACCOUNT_SID: must look like AC…');
  const facebookVars = settingGroup(
    env,
    { appId: 'FACEBOOK_APP_ID', appSecret: 'FACEBOOK_APP_SECRET', dialogBaseUrl: 'FACEBOOK_DIALOG_URL', graphBaseUrl: 'FACEBOOK_GRAPH_URL', graphVersion: 'FACEBOOK_GRAPH_VERSION' },
    ['dialogBaseUrl', 'graphBaseUrl', 'graphVersion'],
    problems,
    production,
  );
  if (facebookVars?.graphVersion !== undefined && !/^v\d+\.\d+$/.test(facebookVars.graphVersion)) problems.push('FACEBOOK_GRAPH_VERSION: must look like v19.0');
  const twitterVars = settingGroup(env, { consumerKey: 'TWITTER_CONSUMER_KEY', consumerSecret: 'TWITTER_CONSUMER_SECRET', apiBaseUrl: 'TWITTER_API_URL' }, ['apiBaseUrl'], problems, production);

  const didChainIdVar = env['DID_CHAIN_ID'] ?? '1';
  const didChainId = /^\d{1,15}$/.test(didChainIdVar) ? Number(didChainIdVar) : NaN;
  if (!(didChainId > 0)) problems.push(`DID_CHAIN_ID: "${didChainIdVar}" is not a chain id (a positive integer)`);
  const didLoginDemoVar = env['DID_LOGIN_DEMO'];
  if (didLoginDemoVar !== undefined && didLoginDemoVar !== 'true' && didLoginDemoVar !== 'false') problems.push('DID_LOGIN_DEMO: use true or false');
  const didLoginDemo = didLoginDemoVar === undefined ? !production : didLoginDemoVar === 'true';
  const resultTokenVar = env['DID_APP_LOGIN_RESULT_TOKEN'];
  if (resultTokenVar !== undefined && resultTokenVar !== 'required' && resultTokenVar !== 'optional') problems.push('DID_APP_LOGIN_RESULT_TOKEN: use required or optional');
  const didAppLoginResultToken = resultTokenVar === undefined ? undefined : resultTokenVar === 'required';
  const didOperatorOrganizations = (env['DID_OPERATOR_ORGANIZATIONS'] ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (didOperatorOrganizations.some((id) => !/^[\w-]{1,36}$/.test(id))) problems.push('DID_OPERATOR_ORGANIZATIONS: comma-separated account ids');
  const verifyLimitVar = env['DID_VERIFY_RATE_LIMIT'];
  const didVerifyRateLimit = verifyLimitVar === undefined || verifyLimitVar === 'off' ? verifyLimitVar : /^[1-9]\d{0,8}$/.test(verifyLimitVar) ? Number(verifyLimitVar) : undefined;
  if (verifyLimitVar !== undefined && didVerifyRateLimit === undefined) problems.push('DID_VERIFY_RATE_LIMIT: a positive number of verifications per minute, or off');
  const didEthrRegistry = ethrRegistryOf(env, didChainId, problems);

  const siweAllowedOrigins = (env['SIWE_ALLOWED_ORIGINS'] ?? (URL.canParse(publicUrl) ? new URL(publicUrl).origin : ''))
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of siweAllowedOrigins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/$/, '')) problems.push(`SIWE_ALLOWED_ORIGINS: "${origin}" is not an origin (https://app.example.com)`);
  }
  const siweChains: ServerConfig['siweChains'] = [];
  const siweChainEntries = (env['SIWE_CHAINS'] ?? '1')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const entry of siweChainEntries) {
    const [id, rpcUrl] = entry.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!/^[1-9]\d{0,14}$/.test(id) || (rpcUrl !== undefined && !/^https?:\/\/\S+$/.test(rpcUrl))) problems.push(`SIWE_CHAINS: "${entry}" is not chainId or chainId=http(s)://rpc-url`);
    else siweChains.push(rpcUrl === undefined ? { chainId: Number(id) } : { chainId: Number(id), rpcUrl });
  }
  if (siweChainEntries.length === 0) problems.push('SIWE_CHAINS: at least one chain id');
  const siweSignUpVar = env['SIWE_SIGN_UP'];
  if (siweSignUpVar !== undefined && siweSignUpVar !== 'true' && siweSignUpVar !== 'false') problems.push('SIWE_SIGN_UP: use true or false');
  const oidcSigningAlgorithm = env['OIDC_SIGNING_ALGORITHM'] ?? 'RS256';
  if (!['RS256', 'ES256', 'EdDSA'].includes(oidcSigningAlgorithm)) problems.push(`OIDC_SIGNING_ALGORITHM: "${oidcSigningAlgorithm}" is not RS256, ES256 or EdDSA`);
  const dynamicRegistrationVar = env['OIDC_DYNAMIC_REGISTRATION'];
  if (dynamicRegistrationVar !== undefined && dynamicRegistrationVar !== 'true' && dynamicRegistrationVar !== 'false') problems.push('OIDC_DYNAMIC_REGISTRATION: use true or false');
  const refreshTtlVar = env['OIDC_REFRESH_TOKEN_TTL_SECONDS'] ?? '1209600';
  const oidcRefreshTokenTtlSeconds = /^\d{1,10}$/.test(refreshTtlVar) ? Number(refreshTtlVar) : NaN;
  if (!(oidcRefreshTokenTtlSeconds > 0)) problems.push(`OIDC_REFRESH_TOKEN_TTL_SECONDS: "${refreshTtlVar}" is not a number of seconds (a positive integer)`);

  const chain = chainSettings(env, problems);
  const oid4vciOfferTtlSeconds = positiveInteger(env, 'OID4VCI_OFFER_TTL_SECONDS', 600, problems);
  const oid4vciWalletClients = walletClientsOf(env, problems);

  if (problems.length > 0) throw new EnvConfigError(problems);
  return {
    chain,
    mode,
    port,
    host,
    dataDir,
    databaseUrl,
    publicUrl,
    allowHttpPublicUrl,
    trustedProxies,
    serveDocs,
    hstsMaxAgeSeconds,
    http,
    attestationAppOrigin,
    masterKey,
    previousMasterKeys,
    logLevel,
    logFormat: logFormat as ServerConfig['logFormat'],
    devOutboxKeep,
    dnsServers,
    sessionLifetimeSeconds,
    smtpUrl,
    smtpRequireTls,
    attestationSignerKey,
    attestationSignatureForm: attestationSignatureForm as ServerConfig['attestationSignatureForm'],
    phoneNumberCheck: phoneNumberCheck as ServerConfig['phoneNumberCheck'],
    emailFrom,
    twilio: twilioVars && { accountSid: twilioVars.accountSid!, authToken: twilioVars.authToken!, from: twilioVars.from!, baseUrl: twilioVars.baseUrl },
    facebook: facebookVars && {
      appId: facebookVars.appId!,
      appSecret: facebookVars.appSecret!,
      dialogBaseUrl: facebookVars.dialogBaseUrl,
      graphBaseUrl: facebookVars.graphBaseUrl,
      graphVersion: facebookVars.graphVersion,
    },
    twitter: twitterVars && { consumerKey: twitterVars.consumerKey!, consumerSecret: twitterVars.consumerSecret!, apiBaseUrl: twitterVars.apiBaseUrl },
    didChainId,
    didLoginDemo,
    didAppLoginResultToken,
    didOperatorOrganizations,
    didVerifyRateLimit,
    didEthrRegistry,
    siweAllowedOrigins,
    siweChains,
    siweSignUp: siweSignUpVar === 'true',
    siweStatement: env['SIWE_STATEMENT'],
    oidcSigningAlgorithm: oidcSigningAlgorithm as ServerConfig['oidcSigningAlgorithm'],
    oidcEnabled: flag(env, 'OIDC', true, problems),
    oid4vciEnabled: flag(env, 'OID4VCI', true, problems),
    oid4vciOfferTtlSeconds,
    oid4vciWalletClients,
    oidcDynamicRegistration: dynamicRegistrationVar === 'true',
    oidcRefreshTokenTtlSeconds,
    oid4vpEnabled: flag(env, 'OID4VP', false, problems),
    oid4vpLoginPage: flag(env, 'OID4VP_LOGIN_PAGE', false, problems),
    oid4vpVct: env['OID4VP_VCT'] || undefined,
    developmentDefaults,
  };
}

/** The DID_ETHR_* settings: did:ethr through the ERC-1056 registry of one chain, or undefined (offline). */
/** `OID4VCI_WALLET_CLIENTS`: `wallet=https://wallet.example/cb,wallet=wallet-app://cb,other=…`, grouped by client id. */
function walletClientsOf(env: Env, problems: string[]): ServerConfig['oid4vciWalletClients'] {
  const clients = new Map<string, string[]>();
  for (const entry of (env['OID4VCI_WALLET_CLIENTS'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const clientId = entry.slice(0, eq);
    const uri = entry.slice(eq + 1);
    if (eq < 1 || !URL.canParse(uri)) {
      problems.push(`OID4VCI_WALLET_CLIENTS: "${entry}" is not client_id=redirect_uri (an absolute URI)`);
      continue;
    }
    clients.set(clientId, [...(clients.get(clientId) ?? []), uri]);
  }
  return [...clients].map(([clientId, redirectUris]) => ({ clientId, redirectUris }));
}

function ethrRegistryOf(env: Env, didChainId: number, problems: string[]): ServerConfig['didEthrRegistry'] {
  const rpcUrl = env['DID_ETHR_RPC_URL'];
  if (rpcUrl === undefined || rpcUrl === '') {
    for (const name of ['DID_ETHR_CHAIN_ID', 'DID_ETHR_REGISTRY', 'DID_ETHR_CACHE_SECONDS']) if (env[name] !== undefined) problems.push(`${name}: needs DID_ETHR_RPC_URL`);
    return undefined;
  }
  if (!/^(https?|wss?):\/\/\S+$/.test(rpcUrl)) problems.push('DID_ETHR_RPC_URL: an http(s) or ws(s) JSON-RPC URL');
  const chainVar = env['DID_ETHR_CHAIN_ID'];
  const chainId = chainVar === undefined ? didChainId : /^[1-9]\d{0,14}$/.test(chainVar) ? Number(chainVar) : NaN;
  if (!(chainId > 0)) problems.push(`DID_ETHR_CHAIN_ID: "${chainVar}" is not a chain id (a positive integer)`);
  const registry = env['DID_ETHR_REGISTRY'];
  if (registry !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(registry)) problems.push('DID_ETHR_REGISTRY: the registry contract’s address (0x and 40 hex digits)');
  const cacheVar = env['DID_ETHR_CACHE_SECONDS'] ?? '30';
  if (!/^\d{1,6}$/.test(cacheVar)) problems.push('DID_ETHR_CACHE_SECONDS: seconds (0 or more) a registry document is reused');
  return { rpcUrl, chainId, ...(registry === undefined ? {} : { registry }), cacheSeconds: Number(cacheVar) };
}
