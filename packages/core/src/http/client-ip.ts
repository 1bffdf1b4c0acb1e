import { BlockList, isIP } from 'node:net';
import type { Context } from 'koa';
import { getRequestState } from './request-state.js';

/** Decides whether an address is one of the configured trusted proxies. */
export interface ProxyMatcher {
  /** True when `address` (IPv4, IPv6 or IPv4-mapped IPv6) is inside one of the trusted entries. */
  trusts(address: string): boolean;
  /** No proxy is trusted: the socket address is always the client. */
  readonly empty: boolean;
}

/**
 * `::ffff:203.0.113.7` is how a dual-stack socket shows an IPv4 peer: the same client as
 * `203.0.113.7`, so it is matched and keyed as that (otherwise one client would have two
 * rate-limit budgets depending on how the server was bound).
 */
export function normalizeIp(address: string): string {
  const unzoned = address.replace(/%.*$/, '');
  if (isIP(unzoned) !== 6) return unzoned;
  // one spelling per IPv6 address (2001:0DB8:0::1 is 2001:db8::1), so one client has one budget
  const canonical = new URL(`http://[${unzoned}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** An `X-Forwarded-For` entry as an address: `203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]:443`, `2001:db8::1`. */
function forwardedAddress(entry: string): string | undefined {
  let value = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  return isIP(value.replace(/%.*$/, '')) === 0 ? undefined : normalizeIp(value);
}

/**
 * Compiles `trustedProxies` (IPs and CIDRs, IPv4 and IPv6: `10.0.0.0/8`, `127.0.0.1`,
 * `fd00::/8`, `::1`). Throws a TypeError naming the first entry it cannot read, so a typo
 * fails at startup instead of silently trusting nothing (or everything).
 */
export function createProxyMatcher(entries: readonly string[]): ProxyMatcher {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) throw new TypeError(`trustedProxies: "${raw}" is not an IP address or CIDR range (10.0.0.0/8, fd00::/8, 127.0.0.1)`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) throw new TypeError(`trustedProxies: "${raw}" has a prefix length outside 0-${family === 4 ? 32 : 128}`);
    // an IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps
    const mapped = normalizeIp(address);
    if (family === 6 && isIP(mapped) === 4 && bits >= 96) list.addSubnet(mapped, bits - 96, 'ipv4');
    else list.addSubnet(address, bits, type);
  }
  return {
    empty: entries.length === 0,
    trusts(address) {
      const normalized = normalizeIp(address);
      const family = isIP(normalized);
      if (family === 0) return false;
      return list.check(normalized, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy; then
 * `X-Forwarded-For` is walked from the right (the entry the nearest proxy appended) past
 * every trusted hop, and the first untrusted address is the client — the rule of Express's
 * `trust proxy` and better-auth's `trustedProxies`. Entries left of it were written by
 * whoever sent the request and are ignored. When every entry is trusted, the leftmost is the
 * client. An entry that is not an address stops the walk at the last address read, so a
 * header a client wrote can never become the client IP.
 */
export function resolveClientIp(peer: string | undefined, forwardedFor: string | undefined, proxies: ProxyMatcher): string {
  let client = normalizeIp(peer ?? '');
  if (proxies.empty || !proxies.trusts(client) || !forwardedFor) return client;
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = forwardedAddress(hops[i]!);
    if (hop === undefined) return client;
    client = hop;
    if (!proxies.trusts(hop)) return client;
  }
  return client;
}

/**
 * The client IP of a kit request, by the kit's `trustedProxies` (computed once per request
 * and kept in `ctx.state.w3kit`), independent of the host's `app.proxy` and `ctx.ip`. Use it
 * for every per-client rate limit. Outside a kit route it is the socket's peer.
 */
export function clientIpOf(ctx: Context): string {
  return getRequestState(ctx)?.clientIp ?? normalizeIp(ctx.req.socket.remoteAddress ?? '');
}
