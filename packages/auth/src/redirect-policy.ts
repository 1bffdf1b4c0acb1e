/**
 * Which `redirect_url` an organization may send its end users back to after the association:
 * only its own verified domain, so a button can never be turned into an open redirect.
 */
export interface RedirectPolicyOptions {
  /**
   * Also allow `http:` and `https:` URLs on `localhost` and `127.0.0.1`, whatever the domain.
   * For development and tests only (the kit passes `config.mode !== 'production'`).
   */
  allowLocalHosts: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

// Checked on the raw string, before any parser normalizes it: a scheme, `//`, and an authority
// of plain host characters and an optional port. This refuses userinfo (`https://acme.test@evil.com`),
// percent-encoding in the host (`%2f`), backslashes (`https:\\evil.com`), scheme-relative URLs
// (`//evil.com`), IPv6 literals and anything else a browser might read differently from us.
const PLAIN_AUTHORITY = /^https?:\/\/([a-z0-9.-]+)(?::\d{1,5})?(?=[/?#]|$)/i;
// Dot-separated DNS labels; refuses empty labels (`.acme.test`, `a..acme.test`) and a trailing dot.
const DNS_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Whitespace and control characters are silently removed or rewritten by URL parsers.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const UNSAFE_CHARACTERS = /[\u0000-\u0020\u007f\\]/;

/**
 * Why `raw` is refused as a redirect URL for an organization on `domain`, or null when it is
 * allowed: an `https:` URL whose host is `domain` or a subdomain of it.
 */
export function redirectRefusal(raw: string, domain: string, options: RedirectPolicyOptions): string | null {
  if (UNSAFE_CHARACTERS.test(raw)) return 'must not contain spaces, control characters or backslashes.';
  const authority = PLAIN_AUTHORITY.exec(raw);
  if (!authority) return 'must be an absolute http(s) URL with a plain host name (no user info or encoded characters).';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL.';
  }
  const host = url.hostname;
  // The parser rewrites some hosts (`0x7f.1` → `127.0.0.1`): only a host it left alone is judged.
  if (host !== authority[1]!.toLowerCase() || !DNS_NAME.test(host)) return 'must have a valid host name.';
  if (options.allowLocalHosts && LOCAL_HOSTS.has(host)) return null;
  if (url.protocol !== 'https:') return 'must use https.';
  const wanted = domain.toLowerCase();
  if (host !== wanted && !host.endsWith(`.${wanted}`)) return `host ${host} is not ${wanted} or one of its subdomains.`;
  return null;
}
