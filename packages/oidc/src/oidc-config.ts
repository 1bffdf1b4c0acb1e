import type { OidcSigningAlgorithm } from './signing-keys.js';

/** Options of `oidc()`. Every field has a default. */
export interface OidcOptions {
  /** Base path of the OP under the kit's mount path: the issuer is `publicUrl + mountPath + basePath`. Default `/oidc`. */
  basePath?: string;
  /** Algorithm of the ID token signing keys. Default `RS256` (what every relying party supports). */
  signingAlgorithm?: OidcSigningAlgorithm;
  /** Lifetime of an authorization code, seconds. Default 60. */
  authorizationCodeTtlSeconds?: number;
  /** Lifetime of an access token, seconds. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Lifetime of an ID token, seconds. Default 3600. */
  idTokenTtlSeconds?: number;
  /** Lifetime of a refresh token, seconds. Default 14 days. */
  refreshTokenTtlSeconds?: number;
  /** Lifetime of the OP's sign-in session (its cookie and row), seconds. Default 14 days. */
  sessionTtlSeconds?: number;
  /** Lifetime of a login/consent interaction, seconds. Default 600. */
  interactionTtlSeconds?: number;
  /** OpenID Connect Dynamic Client Registration at `/oidc/reg`. Default false: clients come from the operator (`w3kit oidc client create`). */
  dynamicRegistration?: boolean;
}

export type ResolvedOidcOptions = Required<OidcOptions>;

const DAY = 86_400;

export function resolveOidcOptions(options: OidcOptions): ResolvedOidcOptions {
  const resolved: ResolvedOidcOptions = {
    basePath: '/oidc',
    signingAlgorithm: 'RS256',
    authorizationCodeTtlSeconds: 60,
    accessTokenTtlSeconds: 3600,
    idTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 14 * DAY,
    sessionTtlSeconds: 14 * DAY,
    interactionTtlSeconds: 600,
    dynamicRegistration: false,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(resolved.basePath)) throw new TypeError(`oidc: basePath "${resolved.basePath}" must be a path such as /oidc`);
  if (!['RS256', 'ES256', 'EdDSA'].includes(resolved.signingAlgorithm)) throw new TypeError('oidc: signingAlgorithm must be RS256, ES256 or EdDSA');
  for (const name of ['authorizationCodeTtlSeconds', 'accessTokenTtlSeconds', 'idTokenTtlSeconds', 'refreshTokenTtlSeconds', 'sessionTtlSeconds', 'interactionTtlSeconds'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) throw new TypeError(`oidc: ${name} must be a positive integer`);
  }
  return resolved;
}
