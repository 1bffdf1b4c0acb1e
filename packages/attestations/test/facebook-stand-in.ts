import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { serveOnLoopback } from './support.js';

export const FACEBOOK_APP = { appId: '111111111111111', appSecret: 'facebook-app-secret', graphVersion: 'v19.0' };

/**
 * A local stand-in for Facebook Login and the Graph API, following Facebook's documented
 * authorization-code flow:
 * - `GET /{v}/dialog/oauth?client_id&redirect_uri&state` plays the user approving: a 302 to
 *   `redirect_uri?code=…&state=…` (or `?error=access_denied…` when told to deny);
 * - `GET /{v}/oauth/access_token?client_id&redirect_uri&client_secret&code` exchanges a code
 *   once, only with the app's secret and the dialog's exact `redirect_uri`;
 * - `GET /{v}/me?fields=id&access_token&appsecret_proof` answers only with a valid token and
 *   `appsecret_proof` = HMAC-SHA256(app secret, token), as an app with "Require App Secret" set.
 * Refusals are 400 `{"error":{"type":"OAuthException",…}}` as Facebook sends them.
 */
export async function startFacebookStandIn() {
  const codes = new Map<string, { redirectUri: string; userId: string }>();
  const tokens = new Map<string, string>();
  const calls: { path: string; params: URLSearchParams }[] = [];
  let deny = false;
  let outage = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const params = url.searchParams;
    calls.push({ path: url.pathname, params });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const refuse = (message: string) => json(400, { error: { message, type: 'OAuthException', code: 100, fbtrace_id: 'x' } });
    if (outage) return json(500, { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2 } });
    const prefix = `/${FACEBOOK_APP.graphVersion}`;
    if (req.method !== 'GET' || !url.pathname.startsWith(prefix)) return json(404, { error: { message: 'Unknown path', type: 'GraphMethodException' } });
    const path = url.pathname.slice(prefix.length);

    if (path === '/dialog/oauth') {
      const redirectUri = params.get('redirect_uri') ?? '';
      if (params.get('client_id') !== FACEBOOK_APP.appId || !redirectUri) return refuse('Invalid App ID');
      const back = new URL(redirectUri);
      if (deny) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_reason', 'user_denied');
      } else {
        const code = randomBytes(24).toString('base64url');
        codes.set(code, { redirectUri, userId: String(1000 + codes.size) });
        back.searchParams.set('code', code);
      }
      if (params.has('state')) back.searchParams.set('state', params.get('state')!);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (path === '/oauth/access_token') {
      if (params.get('client_id') !== FACEBOOK_APP.appId || params.get('client_secret') !== FACEBOOK_APP.appSecret) return refuse('Error validating client secret.');
      const grant = codes.get(params.get('code') ?? '');
      if (!grant) return refuse('Invalid verification code format.');
      codes.delete(params.get('code')!); // a code is single-use
      if (grant.redirectUri !== params.get('redirect_uri'))
        return refuse('Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request');
      const token = randomBytes(32).toString('hex');
      tokens.set(token, grant.userId);
      return json(200, { access_token: token, token_type: 'bearer', expires_in: 5183944 });
    }
    if (path === '/me') {
      const token = params.get('access_token') ?? '';
      const userId = tokens.get(token);
      if (!userId) return refuse('Invalid OAuth access token.');
      const proof = createHmac('sha256', FACEBOOK_APP.appSecret).update(token).digest('hex');
      if (params.get('appsecret_proof') !== proof) return refuse('Invalid appsecret_proof provided in the API argument');
      return json(200, { id: userId });
    }
    json(404, { error: { message: 'Unknown path', type: 'GraphMethodException' } });
  });
  const { url, close } = await serveOnLoopback(server);
  return {
    url,
    close,
    calls,
    /** Issues a code as the dialog would, for a redirect URI (to test codes that bypass the kit's flow). */
    issueCode(redirectUri: string): string {
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { redirectUri, userId: '42' });
      return code;
    },
    setDeny(value: boolean) {
      deny = value;
    },
    setOutage(value: boolean) {
      outage = value;
    },
  };
}

export type FacebookStandIn = Awaited<ReturnType<typeof startFacebookStandIn>>;
