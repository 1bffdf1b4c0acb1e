/**
 * What another plugin adds to the OP when it is composed with oidc (today: oid4vci, the OP as
 * the authorization server of credential issuance). The plugin registers it as the service
 * `oidcProviderExtension`; the OP reads it when it builds its provider. Refusals are plain
 * strings: the host turns them into the protocol's own errors, so the plugin needs nothing of
 * node-oidc-provider.
 */
export interface OidcProviderExtension {
  /** Public clients given by configuration (PKCE, no secret, authorization_code only), e.g. wallets. */
  clients: readonly { clientId: string; name: string; redirectUris: readonly string[] }[];
  /** The one resource server (RFC 8707) tokens may be asked for, by `clients` only: JWT access tokens with `aud` = `resource`. */
  resourceServer: { resource: string; scopes: readonly string[]; accessTokenTtlSeconds: number };
  /** Extra authorization request parameters and their checks: a refusal is `invalid_request` with it as description. */
  authorizationParams: Record<string, (value: string | undefined, scopes: readonly string[]) => Promise<string | undefined>>;
  /**
   * Called as an authorization code is about to be issued (the end user signed in and consented):
   * a refusal sends `access_denied` to the client instead of a code.
   */
  beforeAuthorizationCode(input: { accountId: string; params: Record<string, unknown>; scopes: readonly string[] }): Promise<string | undefined>;
}

/** The claims of an OP access token the host verified for a resource server. */
export interface VerifiedOpAccessToken {
  sub: string;
  scopes: string[];
  clientId: string;
  expiresAt: Date;
}
