import type { Clock, RandomSource } from '@w3kit/core';
import { hashClientSecret } from './client-secrets.js';
import type { OidcPayloadStore } from './payload-store.js';

export interface NewOidcClient {
  /** Shown on the consent page. */
  name: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris?: readonly string[];
  /** A public client (a SPA, a native app) has no secret and authenticates with PKCE alone. Default false. */
  public?: boolean;
}

export interface OidcClientView {
  client_id: string;
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  token_endpoint_auth_method: string;
  created_at: string;
}

/** The operator's registry of relying parties (`w3kit oidc client create|list|delete`). */
export interface OidcClientService {
  /** Registers a client; the secret (confidential clients) is in this answer only. */
  create(input: NewOidcClient): Promise<OidcClientView & { client_secret?: string }>;
  list(): Promise<OidcClientView[]>;
  /** True when a client was deleted. Its tokens stop working: the provider finds no client for them. */
  remove(clientId: string): Promise<boolean>;
}

export const CLIENT_MODEL = 'Client';

export interface OidcClientServiceDeps {
  store: OidcPayloadStore;
  clock: Clock;
  random: RandomSource;
  production: boolean;
}

function checkRedirectUri(value: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`redirect URI "${value}" is not an absolute URL`);
  }
  if (url.hash) throw new TypeError(`redirect URI "${value}" must not have a fragment`);
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (!production || loopback))) {
    throw new TypeError(`redirect URI "${value}" must use https${production ? '' : ' (or http outside production)'}`);
  }
  return url.href;
}

const view = (payload: Record<string, unknown>): OidcClientView => ({
  client_id: String(payload['client_id']),
  client_name: String(payload['client_name'] ?? ''),
  redirect_uris: (payload['redirect_uris'] as string[] | undefined) ?? [],
  post_logout_redirect_uris: (payload['post_logout_redirect_uris'] as string[] | undefined) ?? [],
  token_endpoint_auth_method: String(payload['token_endpoint_auth_method']),
  created_at: new Date(Number(payload['client_id_issued_at'] ?? 0) * 1000).toISOString(),
});

export function createOidcClientService(deps: OidcClientServiceDeps): OidcClientService {
  const { store, clock, random, production } = deps;
  return {
    async create(input) {
      const name = input.name.trim();
      if (name.length === 0 || name.length > 100) throw new TypeError('a client needs a name of 1 to 100 characters');
      if (input.redirectUris.length === 0) throw new TypeError('a client needs at least one redirect URI');
      const redirectUris = input.redirectUris.map((u) => checkRedirectUri(u, production));
      const postLogoutRedirectUris = (input.postLogoutRedirectUris ?? []).map((u) => checkRedirectUri(u, production));
      const clientId = `w3c_${random.token(16)}`;
      const secret = input.public ? undefined : `w3kcs_${random.token(32)}`;
      const payload: Record<string, unknown> = {
        client_id: clientId,
        client_id_issued_at: Math.floor(clock.now().getTime() / 1000),
        client_name: name,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: secret ? 'client_secret_basic' : 'none',
        ...(secret ? { client_secret: hashClientSecret(secret) } : {}),
      };
      await store.upsert(CLIENT_MODEL, clientId, payload, null);
      return { ...view(payload), ...(secret ? { client_secret: secret } : {}) };
    },
    async list() {
      return (await store.list(CLIENT_MODEL, clock.now())).map((stored) => view(stored.payload));
    },
    async remove(clientId) {
      const found = await store.find(CLIENT_MODEL, clientId, clock.now());
      if (!found) return false;
      await store.destroy(CLIENT_MODEL, clientId);
      return true;
    },
  };
}
