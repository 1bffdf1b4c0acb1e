import type { AccountDirectory, Clock, EnvelopeEncryption, KitConfig, Logger } from '@w3kit/core';
import type { AccountService } from '@w3kit/auth';
import compose from 'koa-compose';
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { matchesClientSecret } from './client-secrets.js';
import { kitPageHeaders } from '@w3kit/auth';
import { renderLogoutPage, renderOpMessagePage } from './interaction-page.js';
import type { ResolvedOidcOptions } from './oidc-config.js';
import type { OidcPayloadStore } from './payload-store.js';
import { payloadAdapterFactory } from './provider-adapter.js';
import type { OidcProviderExtension, VerifiedOpAccessToken } from './provider-extension.js';
import type { OidcSigningKeys } from './signing-keys.js';
import { createLocalJWKSet, jwtVerify } from 'jose';

/** The standard claims per scope (OpenID Connect Core 5.4), all of them from `my_info`. */
export const SCOPE_CLAIMS = {
  /** `amr` says how the user signed in (`pwd`, `vp`, `siwe`); it comes from the sign-in, not from my_info. */
  openid: ['sub', 'amr'],
  profile: ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  /** The kit's own: the account's ID wallet address. */
  wallet: ['wallet_address'],
} as const;

/**
 * The claims of an account, from auth's `my_info` (so the OP says exactly what the
 * Web3Connect API says): `updated_at` as seconds since the epoch, as OIDC defines it.
 */
export function claimsFromMyInfo(info: Record<string, unknown>): Record<string, unknown> & { sub: string } {
  const wallet = info['id_wallet'] as { address?: unknown } | undefined;
  const updated = typeof info['updated_at'] === 'string' ? Math.floor(Date.parse(info['updated_at']) / 1000) : null;
  const claims: Record<string, unknown> = { sub: String(info['sub']), updated_at: updated, wallet_address: wallet?.address ?? null };
  for (const names of Object.values(SCOPE_CLAIMS)) for (const name of names) if (!(name in claims)) claims[name] = info[name] ?? null;
  // An unset claim is left out rather than sent as null (OIDC Core 5.3.2).
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== null)) as Record<string, unknown> & { sub: string };
}

/** How long an instance uses its provider before it looks for keys rotated elsewhere. */
export const KEY_SET_CACHE_MS = 5_000;

export interface OidcProviderHostDeps {
  config: KitConfig;
  options: ResolvedOidcOptions;
  store: OidcPayloadStore;
  signingKeys: OidcSigningKeys;
  encryption: EnvelopeEncryption;
  accountDirectory: AccountDirectory;
  accountService: AccountService;
  clock: Clock;
  logger: Logger;
  /** Another plugin's additions (oid4vci's resource server and wallet clients), when one is composed. */
  extension?: () => OidcProviderExtension | undefined;
}

/**
 * Runs node-oidc-provider inside the kit. The provider is a Koa application; its middleware runs
 * on the kit's own Koa context (as koa-mount does it), with the path below the OP's prefix.
 * Its key set is read from the database; an instance rebuilds its provider when another
 * instance rotated or retired a key (checked at most every `KEY_SET_CACHE_MS`).
 */
export interface OidcProviderHost {
  readonly issuer: string;
  /** The OP's path prefix on this server (`mountPath + basePath`). */
  readonly prefix: string;
  provider(): Promise<Provider>;
  /** Hands a request to the provider. */
  handle(ctx: Context): Promise<void>;
  /**
   * Verifies a JWT access token this OP issued for the extension's resource server, in process
   * (the key set from the database, no HTTP to itself): signature, `typ` at+jwt, `iss`, `aud`
   * = `audience`, `exp`. Undefined when any of it fails.
   */
  verifyAccessToken(token: string, audience: string): Promise<VerifiedOpAccessToken | undefined>;
}

export function createOidcProviderHost(deps: OidcProviderHostDeps): OidcProviderHost {
  const { config, options, store, signingKeys, encryption, accountDirectory, accountService, clock, logger } = deps;
  const prefix = `${config.mountPath}${config.basePaths['oidc'] ?? options.basePath}`;
  const issuer = `${config.publicUrl}${prefix}`;
  const issuerOrigin = new URL(issuer).origin;
  const secure = issuer.startsWith('https:');
  // Cookie signing keys derive from the master key: every instance has them, nothing more to configure.
  const cookieKeys = [encryption.digest('oidc.cookies', 'v1')];

  let current: { version: string; provider: Provider; middleware: Middleware; checkedAt: number } | undefined;
  let building: Promise<NonNullable<typeof current>> | undefined;

  async function build(version: string, keys: Configuration['jwks']): Promise<Provider> {
    // Loaded on the first OIDC request, not at startup: a CLI run or a server that serves no
    // OIDC request never loads it (nor prints its runtime notice, see docs/oidc.md).
    const { default: ProviderClass, errors } = await import('oidc-provider');
    const extension = deps.extension?.();
    const resourceServer = extension?.resourceServer;
    const requestedScopes = (ctx: KoaContextWithOIDC) =>
      String(ctx.oidc.params?.['scope'] ?? '')
        .split(' ')
        .filter(Boolean);
    const asksForResource = (ctx: KoaContextWithOIDC) => resourceServer !== undefined && requestedScopes(ctx).some((s) => resourceServer.scopes.includes(s));
    const configuration: Configuration = {
      adapter: payloadAdapterFactory(store, clock, errors.InvalidGrant),
      jwks: keys,
      cookies: {
        keys: cookieKeys,
        long: { signed: true, httpOnly: true, sameSite: 'lax', secure },
        short: { signed: true, httpOnly: true, sameSite: 'lax', secure },
      },
      async findAccount(_ctx, sub) {
        const account = await accountDirectory.get(sub);
        // The OP signs in end users; organizations are API clients of the kit, not people.
        if (!account || account.accountType !== 'end_user') return undefined;
        return {
          accountId: account.id,
          claims: async () => claimsFromMyInfo(await accountService.myInfo({ accountId: account.id, accountType: account.accountType })),
        };
      },
      claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, names]) => [scope, [...names]])),
      scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
      responseTypes: ['code'],
      // The extension's clients are public: PKCE is their only proof, and they get no refresh token.
      clients: (extension?.clients ?? []).map((c) => ({
        client_id: c.clientId,
        client_name: c.name,
        // a wallet app's own scheme (or a loopback URI) makes it a native client, as OAuth for native apps has it
        application_type: c.redirectUris.every((u) => u.startsWith('https:')) ? 'web' : 'native',
        redirect_uris: [...c.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      })),
      extraParams: Object.fromEntries(
        Object.entries(extension?.authorizationParams ?? {}).map(([name, check]) => [
          name,
          async (ctx: KoaContextWithOIDC, value: string | undefined) => {
            const refusal = await check(value, requestedScopes(ctx));
            if (refusal) throw new errors.InvalidRequest(refusal);
          },
        ]),
      ),
      // Called as a code (or token) of the authorization endpoint is issued: the one moment the
      // signed-in account and the request's parameters are both known, after login and consent.
      async expiresWithSession(ctx, token) {
        if (extension && token.kind === 'AuthorizationCode' && ctx.oidc.session?.accountId) {
          const refusal = await extension.beforeAuthorizationCode({ accountId: ctx.oidc.session.accountId, params: { ...ctx.oidc.params }, scopes: [...token.scopes] });
          if (refusal) throw new errors.AccessDenied(refusal);
        }
        return !token.scopes.has('offline_access');
      },
      pkce: { required: () => true },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
      clientDefaults: {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: options.signingAlgorithm,
      },
      enabledJWA: { idTokenSigningAlgValues: [options.signingAlgorithm] },
      features: {
        devInteractions: { enabled: false },
        // RFC 8707: the extension's resource server gets short-lived JWT access tokens (aud = the
        // resource) carrying its scopes; without a resource a token is the opaque one for UserInfo.
        resourceIndicators: {
          enabled: true,
          defaultResource: async (ctx, _client, oneOf) => oneOf ?? (asksForResource(ctx) ? resourceServer?.resource : undefined),
          useGrantedResource: async () => true,
          async getResourceServerInfo(_ctx, indicator, client) {
            if (!resourceServer || indicator !== resourceServer.resource) throw new errors.InvalidTarget();
            // only the extension's own clients (the wallets) get tokens for its resource, not every relying party
            if (!extension?.clients.some((c) => c.clientId === client.clientId)) throw new errors.InvalidTarget('this client may not ask for this resource');
            return {
              scope: resourceServer.scopes.join(' '),
              audience: resourceServer.resource,
              accessTokenTTL: resourceServer.accessTokenTtlSeconds,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: options.signingAlgorithm } },
            };
          },
        },
        revocation: { enabled: true },
        // A client learns about its own tokens only: the kit models no separate resource servers.
        introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
        registration: { enabled: options.dynamicRegistration },
        rpInitiatedLogout: {
          enabled: true,
          async logoutSource(ctx, form) {
            const targets = (ctx.oidc.client?.postLogoutRedirectUris ?? []).map((u) => new URL(u).origin);
            ctx.set(kitPageHeaders(targets));
            ctx.type = 'text/html; charset=utf-8';
            ctx.body = renderLogoutPage(form, ctx.oidc.client?.clientName);
          },
          async postLogoutSuccessSource(ctx) {
            ctx.set(kitPageHeaders());
            ctx.type = 'text/html; charset=utf-8';
            ctx.body = renderOpMessagePage('Signed out', 'You are signed out of Web3Connect.');
          },
        },
      },
      // A refresh token for every client allowed the grant (the operator registered it), not only on offline_access.
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      // Every use of a refresh token consumes it and hands out the next one; a replayed old one revokes the grant.
      rotateRefreshToken: true,
      interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
      ttl: {
        AuthorizationCode: options.authorizationCodeTtlSeconds,
        // a resource server's own lifetime (oid4vci's short one) over the OP's default
        AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? options.accessTokenTtlSeconds,
        IdToken: options.idTokenTtlSeconds,
        RefreshToken: options.refreshTokenTtlSeconds,
        Session: options.sessionTtlSeconds,
        Grant: options.refreshTokenTtlSeconds,
        Interaction: options.interactionTtlSeconds,
      },
      async renderError(ctx, out) {
        // The protocol's own error and description (written for clients); never a stack or a library message.
        ctx.set(kitPageHeaders());
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = renderOpMessagePage('Sign-in failed', `${out.error}: ${out.error_description ?? ''}`.trim());
      },
    };
    const provider = new ProviderClass(issuer, configuration);
    // Client secrets are stored hashed (client-secrets.ts): compare the hash of what was sent.
    provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret?: string }, actual: string) {
      return matchesClientSecret(this.clientSecret, actual);
    };
    provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => logger.error({ err: error, path: ctx.path, keys: version }, 'oidc provider error'));
    return provider;
  }

  async function refresh() {
    const keySet = await signingKeys.keySet();
    if (current && current.version === keySet.version) {
      current.checkedAt = Date.now();
      return current;
    }
    const provider = await build(keySet.version, { keys: keySet.keys });
    current = { version: keySet.version, provider, middleware: compose(provider.middleware) as Middleware, checkedAt: Date.now() };
    return current;
  }

  async function live() {
    if (current && Date.now() - current.checkedAt < KEY_SET_CACHE_MS) return current;
    building ??= refresh().finally(() => (building = undefined));
    return building;
  }

  return {
    issuer,
    prefix,
    provider: async () => (await live()).provider,
    async verifyAccessToken(token, audience) {
      const { keys } = await signingKeys.keySet();
      const publicKeys = keys.map(({ kid, alg, kty, crv, x, y, n, e }) => ({ kid, alg, kty, crv, x, y, n, e, use: 'sig' }));
      try {
        const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: publicKeys as never }), {
          issuer,
          audience,
          typ: 'at+jwt',
          algorithms: [options.signingAlgorithm],
          currentDate: clock.now(),
        });
        if (typeof payload.sub !== 'string' || typeof payload['client_id'] !== 'string' || typeof payload.exp !== 'number') return undefined;
        const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : [];
        return { sub: payload.sub, scopes, clientId: payload['client_id'], expiresAt: new Date(payload.exp * 1000) };
      } catch {
        return undefined;
      }
    },
    async handle(ctx) {
      const { middleware, provider } = await live();
      const path = ctx.path;
      const hostCookies = ctx.cookies;
      // The provider signs its cookies with its own keys (the host app may have none).
      const cookies = provider.createContext(ctx.req, ctx.res).cookies;
      cookies.secure = cookies.secure || ctx.secure;
      ctx.cookies = cookies;
      // What koa-mount does: the provider sees paths below its prefix, and builds its URLs from
      // `ctx.mountPath`, and from the issuer's origin (never a Host header the client chose).
      ctx.path = path.slice(prefix.length) || '/';
      (ctx as Context & { mountPath?: string }).mountPath = prefix;
      const request = ctx.request;
      Object.defineProperty(request, 'href', { get: () => `${issuerOrigin}${request.originalUrl}`, configurable: true });
      try {
        await middleware(ctx, async () => undefined);
      } finally {
        ctx.path = path;
        ctx.cookies = hostCookies;
      }
    },
  };
}
