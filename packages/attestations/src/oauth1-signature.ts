import { createHmac } from 'node:crypto';

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires: everything but `A-Za-z0-9-._~`, upper-case hex. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The base string URI (§3.4.1.2): lower-case scheme and host, default port dropped, no query or fragment. */
export function baseStringUri(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * The signature base string (§3.4.1): method, base string URI, and every parameter (query,
 * form body and `oauth_*` protocol parameters, without `oauth_signature` and `realm`)
 * encoded, sorted by name then value, and joined.
 */
export function signatureBaseString(method: string, url: string, params: readonly (readonly [string, string])[]): string {
  const normalized = params
    .filter(([name]) => name !== 'oauth_signature' && name !== 'realm')
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalized)].join('&');
}

/** HMAC-SHA1 (§3.4.2) of the base string, keyed by the encoded consumer and token secrets, in base64. */
export function hmacSha1Signature(baseString: string, consumerSecret: string, tokenSecret = ''): string {
  return createHmac('sha1', `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`)
    .update(baseString)
    .digest('base64');
}

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  /** The request or access token, once there is one. */
  token?: string;
  tokenSecret?: string;
}

export interface OAuth1Request {
  method: string;
  /** The full URL, with any query parameters (they are signed too). */
  url: string;
  /** Parameters of a form-encoded body (signed too). */
  form?: Readonly<Record<string, string>>;
  /** Further protocol parameters: `oauth_callback`, `oauth_verifier`. */
  extra?: Readonly<Record<string, string>>;
  nonce: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** The `Authorization: OAuth …` header of a request signed with HMAC-SHA1 (§3.5.1). */
export function oauth1AuthorizationHeader(request: OAuth1Request, credentials: OAuth1Credentials): string {
  const protocol: Record<string, string> = {
    oauth_consumer_key: credentials.consumerKey,
    oauth_nonce: request.nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(request.timestamp),
    oauth_version: '1.0',
    ...(credentials.token === undefined ? {} : { oauth_token: credentials.token }),
    ...request.extra,
  };
  const params: [string, string][] = [...Object.entries(protocol), ...new URL(request.url).searchParams.entries(), ...Object.entries(request.form ?? {})];
  const base = signatureBaseString(request.method, request.url, params);
  protocol['oauth_signature'] = hmacSha1Signature(base, credentials.consumerSecret, credentials.tokenSecret);
  return `OAuth ${Object.entries(protocol)
    .map(([name, value]) => `${percentEncode(name)}="${percentEncode(value)}"`)
    .join(', ')}`;
}
