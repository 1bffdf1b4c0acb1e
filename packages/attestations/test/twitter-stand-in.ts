import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { serveOnLoopback } from './support.js';

export const TWITTER_APP = { consumerKey: 'xvz1evFS4wEEPTGEFPHBog', consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw' };

// The stand-in checks signatures with its own small RFC 5849 implementation, written apart from
// the kit's, so a mistake in the kit's signing cannot be mirrored here and pass unnoticed.
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function parseOAuthHeader(header: string | undefined): Map<string, string> | null {
  if (!header?.startsWith('OAuth ')) return null;
  const fields = new Map<string, string>();
  for (const part of header.slice(6).split(',')) {
    const match = /^\s*([A-Za-z0-9_%.~-]+)="([^"]*)"\s*$/.exec(part);
    if (!match) return null;
    fields.set(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!));
  }
  return fields;
}

function expectedSignature(method: string, url: URL, oauth: Map<string, string>, form: URLSearchParams, tokenSecret: string): string {
  const pairs: [string, string][] = [];
  const add = (k: string, v: string) => pairs.push([rfc3986(k), rfc3986(v)]);
  for (const [k, v] of oauth) if (k !== 'oauth_signature' && k !== 'realm') add(k, v);
  for (const [k, v] of url.searchParams) add(k, v);
  for (const [k, v] of form) add(k, v);
  // by name, then by value (RFC 5849 §3.4.1.3.2), comparing encoded strings by code unit
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  // the base string URI is the URL the kit called: here, this stand-in on loopback
  const base = `${method}&${rfc3986(`${url.protocol}//${url.host}${url.pathname}`)}&${rfc3986(pairs.map(([k, v]) => `${k}=${v}`).join('&'))}`;
  return createHmac('sha1', `${rfc3986(TWITTER_APP.consumerSecret)}&${rfc3986(tokenSecret)}`)
    .update(base)
    .digest('base64');
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => resolve(body));
  });

/**
 * A local stand-in for Twitter's OAuth 1.0a endpoints and `1.1/account/verify_credentials.json`.
 * Every API call must carry a valid HMAC-SHA1 signature (consumer secret & token secret), a
 * known consumer key and a fresh nonce, or it is refused with 401 and code 32 ("Could not
 * authenticate you."), as Twitter does. `/oauth/authenticate` plays the user approving: a 302
 * to the registered callback with `oauth_token` and `oauth_verifier` (or `denied`).
 */
export async function startTwitterStandIn() {
  const requestTokens = new Map<string, { secret: string; callback: string; verifier: string }>();
  const accessTokens = new Map<string, { secret: string; userId: string }>();
  const nonces = new Set<string>();
  const refusals: string[] = [];
  let deny = false;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const body = await readBody(req);
    const form = String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : new URLSearchParams();
    const send = (status: number, type: string, payload: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(payload);
    };
    const unauthorized = (why: string) => {
      refusals.push(why);
      send(401, 'application/json', JSON.stringify({ errors: [{ code: 32, message: 'Could not authenticate you.' }] }));
    };

    if (req.method === 'GET' && url.pathname === '/oauth/authenticate') {
      const pending = requestTokens.get(url.searchParams.get('oauth_token') ?? '');
      if (!pending) return send(400, 'text/html', '<p>This page is no longer valid.</p>');
      const back = new URL(pending.callback);
      if (deny) back.searchParams.set('denied', url.searchParams.get('oauth_token')!);
      else {
        back.searchParams.set('oauth_token', url.searchParams.get('oauth_token')!);
        back.searchParams.set('oauth_verifier', pending.verifier);
      }
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }

    const oauth = parseOAuthHeader(req.headers.authorization);
    if (!oauth) return unauthorized('no OAuth header');
    if (oauth.get('oauth_consumer_key') !== TWITTER_APP.consumerKey) return unauthorized('unknown consumer key');
    if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1' || oauth.get('oauth_version') !== '1.0') return unauthorized('signature method');
    const nonce = oauth.get('oauth_nonce') ?? '';
    if (!nonce || !/^\d+$/.test(oauth.get('oauth_timestamp') ?? '') || nonces.has(nonce)) return unauthorized('nonce or timestamp');
    nonces.add(nonce);
    const token = oauth.get('oauth_token');
    const tokenSecret = token === undefined ? '' : (requestTokens.get(token)?.secret ?? accessTokens.get(token)?.secret);
    if (tokenSecret === undefined) return unauthorized('unknown token');
    const expected = Buffer.from(expectedSignature(req.method ?? 'GET', url, oauth, form, tokenSecret));
    const given = Buffer.from(oauth.get('oauth_signature') ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return unauthorized('bad signature');

    if (req.method === 'POST' && url.pathname === '/oauth/request_token') {
      const callback = oauth.get('oauth_callback');
      if (!callback || token !== undefined) return unauthorized('no callback');
      const issued = randomBytes(16).toString('hex');
      requestTokens.set(issued, { secret: randomBytes(20).toString('base64url'), callback, verifier: randomBytes(16).toString('hex') });
      return send(200, 'text/html', `oauth_token=${issued}&oauth_token_secret=${requestTokens.get(issued)!.secret}&oauth_callback_confirmed=true`);
    }
    if (req.method === 'POST' && url.pathname === '/oauth/access_token') {
      const pending = token === undefined ? undefined : requestTokens.get(token);
      if (!pending || oauth.get('oauth_verifier') !== pending.verifier) return unauthorized('wrong verifier');
      requestTokens.delete(token!); // a request token is exchanged once
      const access = `${accessTokens.size + 1}-${randomBytes(12).toString('hex')}`;
      accessTokens.set(access, { secret: randomBytes(20).toString('base64url'), userId: String(783214 + accessTokens.size) });
      const granted = accessTokens.get(access)!;
      return send(200, 'text/html', `oauth_token=${access}&oauth_token_secret=${granted.secret}&user_id=${granted.userId}&screen_name=someone`);
    }
    if (req.method === 'GET' && url.pathname === '/1.1/account/verify_credentials.json') {
      const access = token === undefined ? undefined : accessTokens.get(token);
      if (!access) return unauthorized('not an access token');
      return send(200, 'application/json', JSON.stringify({ id_str: access.userId, screen_name: 'someone' }));
    }
    send(404, 'application/json', JSON.stringify({ errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] }));
  });
  const { url, close } = await serveOnLoopback(server);
  return {
    url,
    close,
    /** Why each refused call was refused, in order. */
    refusals,
    setDeny(value: boolean) {
      deny = value;
    },
  };
}

export type TwitterStandIn = Awaited<ReturnType<typeof startTwitterStandIn>>;
