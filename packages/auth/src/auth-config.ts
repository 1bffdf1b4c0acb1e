import { checkDnsServer } from './dns-txt-resolver.js';

/** Options of the auth plugin; every field has a default. */
export interface AuthOptions {
  /** Lifetime of access tokens in seconds. Default 3600. */
  accessTokenTtlSeconds?: number;
  /**
   * Absolute lifetime of a session from its sign-in, in seconds: extending a token
   * (`auth-user {token}`) works until then and no token of the session outlives it.
   * Default 2592000 (30 days).
   */
  sessionLifetimeSeconds?: number;
  /** JWT signing algorithm of new keys: `ES256` (default) or `EdDSA`. */
  signingAlgorithm?: 'ES256' | 'EdDSA';
  /** Lifetime of the one-time association ticket in the button JS, in seconds. Default 600. */
  associationTicketTtlSeconds?: number;
  /** Lifetime of a phone verification code, in seconds. Default 600. */
  phoneCodeTtlSeconds?: number;
  /** Wrong tries allowed per phone code. Default 5. */
  phoneCodeMaxAttempts?: number;
  /** Lifetime of an email verification code (API and association sign-up), in seconds. Default 600. */
  emailCodeTtlSeconds?: number;
  /** Tries allowed per email verification code, right or wrong. Default 5. */
  emailCodeMaxAttempts?: number;
  /** DNS servers for domain verification, as `ip`, `ip:port` or `[ipv6]:port`; default (empty) the system's. */
  dnsServers?: string[];
  /** DNS lookup timeout in ms. Default 3000. */
  dnsTimeoutMs?: number;
}

export type ResolvedAuthOptions = Required<AuthOptions>;

export function resolveAuthOptions(options: AuthOptions = {}): ResolvedAuthOptions {
  const resolved: ResolvedAuthOptions = {
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    sessionLifetimeSeconds: options.sessionLifetimeSeconds ?? 30 * 86_400,
    signingAlgorithm: options.signingAlgorithm ?? 'ES256',
    associationTicketTtlSeconds: options.associationTicketTtlSeconds ?? 600,
    phoneCodeTtlSeconds: options.phoneCodeTtlSeconds ?? 600,
    phoneCodeMaxAttempts: options.phoneCodeMaxAttempts ?? 5,
    emailCodeTtlSeconds: options.emailCodeTtlSeconds ?? 600,
    emailCodeMaxAttempts: options.emailCodeMaxAttempts ?? 5,
    dnsServers: options.dnsServers ?? [],
    dnsTimeoutMs: options.dnsTimeoutMs ?? 3000,
  };
  const positive = [
    'accessTokenTtlSeconds',
    'sessionLifetimeSeconds',
    'associationTicketTtlSeconds',
    'phoneCodeTtlSeconds',
    'phoneCodeMaxAttempts',
    'emailCodeTtlSeconds',
    'emailCodeMaxAttempts',
    'dnsTimeoutMs',
  ] as const;
  for (const key of positive) {
    if (!Number.isInteger(resolved[key]) || resolved[key] <= 0) throw new TypeError(`auth(): ${key} must be a positive integer`);
  }
  if (!Array.isArray(resolved.dnsServers)) throw new TypeError('auth(): dnsServers must be an array of ip:port strings');
  for (const server of resolved.dnsServers) {
    const problem = typeof server === 'string' ? checkDnsServer(server) : 'entries must be strings';
    if (problem) throw new TypeError(`auth(): dnsServers: ${problem}`);
  }
  if (resolved.signingAlgorithm !== 'ES256' && resolved.signingAlgorithm !== 'EdDSA') {
    throw new TypeError('auth(): signingAlgorithm must be ES256 or EdDSA');
  }
  return resolved;
}
