import { createHmac } from 'node:crypto';
import { attestationErrors } from './errors.js';
import { callProvider, providerBaseUrl } from './provider-http.js';

export interface FacebookOAuthConfig {
  /** The Facebook app's id (`client_id`). */
  appId: string;
  /** The app secret: sent only in the code exchange, and as the key of `appsecret_proof`. */
  appSecret: string;
  /** Base of the login dialog. Default `https://www.facebook.com`. */
  dialogBaseUrl?: string;
  /** Base of the Graph API. Default `https://graph.facebook.com`. */
  graphBaseUrl?: string;
  /** Graph API version in every path. Default `v19.0`. */
  graphVersion?: string;
  /** Timeout of each call to Facebook in ms. Default 10000. */
  timeoutMs?: number;
}

/** Facebook Login's authorization-code flow, as far as an attestation needs it. */
export interface FacebookOAuth {
  /** The login dialog URL the browser opens: `{dialog}/{version}/dialog/oauth?client_id&redirect_uri&state`. */
  authorizationUrl(input: { redirectUri: string; state: string }): string;
  /**
   * Exchanges the code for a user access token (`/oauth/access_token`, with the same
   * `redirect_uri` as the dialog), then reads `/me?fields=id` with `appsecret_proof`, which
   * proves the token works for an existing account. `FACEBOOK_REFUSED` when Facebook says no.
   */
  verifyCode(input: { code: string; redirectUri: string }): Promise<{ userId: string }>;
}

export function createFacebookOAuth(config: FacebookOAuthConfig): FacebookOAuth {
  if (!config.appId || !config.appSecret) throw new TypeError('attestations: facebook needs appId and appSecret');
  const dialogBase = providerBaseUrl('facebook.dialogBaseUrl', config.dialogBaseUrl ?? 'https://www.facebook.com');
  const graphBase = providerBaseUrl('facebook.graphBaseUrl', config.graphBaseUrl ?? 'https://graph.facebook.com');
  const version = config.graphVersion ?? 'v19.0';
  if (!/^v\d+\.\d+$/.test(version)) throw new TypeError(`attestations: facebook.graphVersion must look like v19.0, got "${version}"`);
  const timeoutMs = config.timeoutMs ?? 10_000;

  async function graphGet(path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const response = await callProvider('Facebook', `${graphBase}/${version}${path}?${new URLSearchParams(params).toString()}`, { headers: { accept: 'application/json' } }, timeoutMs);
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (!response.ok || body === null) throw attestationErrors.create('FACEBOOK_REFUSED', { details: { provider_status: response.status } });
    return body;
  }

  return {
    authorizationUrl({ redirectUri, state }) {
      const query = new URLSearchParams({ client_id: config.appId, redirect_uri: redirectUri, state, response_type: 'code' });
      return `${dialogBase}/${version}/dialog/oauth?${query.toString()}`;
    },

    async verifyCode({ code, redirectUri }) {
      const token = await graphGet('/oauth/access_token', { client_id: config.appId, redirect_uri: redirectUri, client_secret: config.appSecret, code });
      if (typeof token['access_token'] !== 'string') throw attestationErrors.create('FACEBOOK_REFUSED');
      const accessToken = token['access_token'];
      const appsecretProof = createHmac('sha256', config.appSecret).update(accessToken).digest('hex');
      const me = await graphGet('/me', { fields: 'id', access_token: accessToken, appsecret_proof: appsecretProof });
      if (typeof me['id'] !== 'string' || me['id'] === '') throw attestationErrors.create('FACEBOOK_REFUSED');
      return { userId: me['id'] };
    },
  };
}
