import type { Clock, RandomSource } from '@w3kit/core';
import { attestationErrors } from './errors.js';
import { oauth1AuthorizationHeader, type OAuth1Credentials } from './oauth1-signature.js';
import { callProvider, providerBaseUrl } from './provider-http.js';

export interface TwitterOAuthConfig {
  /** The app's API key (OAuth 1.0a consumer key). */
  consumerKey: string;
  /** The app's API key secret; only ever used as an HMAC key, never sent. */
  consumerSecret: string;
  /** Base of the API and OAuth endpoints. Default `https://api.twitter.com`. */
  apiBaseUrl?: string;
  /** Timeout of each call to Twitter in ms. Default 10000. */
  timeoutMs?: number;
}

export interface RequestToken {
  token: string;
  tokenSecret: string;
}

/** "Sign in with Twitter" (OAuth 1.0a, 3-legged), as far as an attestation needs it. */
export interface TwitterOAuth {
  /** `POST /oauth/request_token` with `oauth_callback`; Twitter must confirm the callback. */
  requestToken(callbackUrl: string): Promise<RequestToken>;
  /** The page the browser opens: `{api}/oauth/authenticate?oauth_token=…`. */
  authenticateUrl(token: string): string;
  /**
   * `POST /oauth/access_token` with the verifier, then `GET 1.1/account/verify_credentials.json`
   * with the access token, which proves the account exists. `TWITTER_REFUSED` when Twitter says no.
   */
  verify(input: RequestToken & { verifier: string }): Promise<{ userId: string }>;
}

/** Read at each call (not at creation), so a clock or random source registered later is the one used. */
export interface TwitterOAuthDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
}

export function createTwitterOAuth(config: TwitterOAuthConfig, deps: TwitterOAuthDeps): TwitterOAuth {
  if (!config.consumerKey || !config.consumerSecret) throw new TypeError('attestations: twitter needs consumerKey and consumerSecret');
  const base = providerBaseUrl('twitter.apiBaseUrl', config.apiBaseUrl ?? 'https://api.twitter.com');
  const timeoutMs = config.timeoutMs ?? 10_000;

  async function signedCall(method: 'GET' | 'POST', url: string, credentials: OAuth1Credentials, extra: Record<string, string> = {}): Promise<Response> {
    const authorization = oauth1AuthorizationHeader({ method, url, extra, nonce: deps.random.token(24), timestamp: Math.floor(deps.clock.now().getTime() / 1000) }, credentials);
    const response = await callProvider('Twitter', url, { method, headers: { authorization, accept: 'application/json' } }, timeoutMs);
    if (!response.ok) {
      await response.body?.cancel();
      attestationErrors.raise('TWITTER_REFUSED', { details: { provider_status: response.status } });
    }
    return response;
  }

  const app = { consumerKey: config.consumerKey, consumerSecret: config.consumerSecret };

  return {
    async requestToken(callbackUrl) {
      const response = await signedCall('POST', `${base}/oauth/request_token`, app, { oauth_callback: callbackUrl });
      const form = new URLSearchParams(await response.text());
      const token = form.get('oauth_token');
      const tokenSecret = form.get('oauth_token_secret');
      if (!token || !tokenSecret || form.get('oauth_callback_confirmed') !== 'true') throw attestationErrors.create('TWITTER_REFUSED');
      return { token, tokenSecret };
    },

    authenticateUrl: (token) => `${base}/oauth/authenticate?${new URLSearchParams({ oauth_token: token }).toString()}`,

    async verify({ token, tokenSecret, verifier }) {
      const exchange = await signedCall('POST', `${base}/oauth/access_token`, { ...app, token, tokenSecret }, { oauth_verifier: verifier });
      const form = new URLSearchParams(await exchange.text());
      const accessToken = form.get('oauth_token');
      const accessSecret = form.get('oauth_token_secret');
      if (!accessToken || !accessSecret) throw attestationErrors.create('TWITTER_REFUSED');
      const credentials = await signedCall('GET', `${base}/1.1/account/verify_credentials.json?skip_status=true&include_email=false`, {
        ...app,
        token: accessToken,
        tokenSecret: accessSecret,
      });
      const user = (await credentials.json().catch(() => null)) as { id_str?: unknown } | null;
      if (typeof user?.id_str !== 'string' || user.id_str === '') throw attestationErrors.create('TWITTER_REFUSED');
      return { userId: user.id_str };
    },
  };
}
