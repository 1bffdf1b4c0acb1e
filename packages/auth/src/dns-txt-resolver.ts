import { isIP } from 'node:net';
import { Resolver } from 'node:dns/promises';

/**
 * Looks up the TXT records of a name. Domain verification asks it through the container
 * (`txtResolver`), so a host or a test can put its own in place.
 */
export interface TxtResolver {
  /**
   * Every TXT record of `domain`, each as its character-strings in order (a record longer than
   * 255 bytes arrives in chunks). Throws `TxtLookupError` when there is no answer.
   */
  resolveTxt(domain: string): Promise<string[][]>;
}

/**
 * Why a TXT lookup gave no records: `not_found` — the name does not exist or has no TXT
 * record (an answer, just not the one wanted); `unavailable` — no usable answer at all
 * (timeout, SERVFAIL, refused), so nothing can be concluded about the domain.
 */
export class TxtLookupError extends Error {
  override readonly name = 'TxtLookupError';
  constructor(
    readonly reason: 'not_found' | 'unavailable',
    /** The resolver's code (`ENOTFOUND`, `ETIMEOUT`, …). */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`TXT lookup failed: ${code}`, options);
  }
}

export interface DnsTxtResolverOptions {
  /** Name servers as `ip` or `ip:port` (`[ipv6]:port`); empty: the system's. */
  servers: readonly string[];
  /** How long to wait for each server's answer, in ms (one try per server). */
  timeoutMs: number;
}

// c-ares codes that are an answer: the name does not exist, or it has no TXT record.
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'EBADNAME']);

/**
 * Checks one `dnsServers` entry: an IP address with an optional port. Node's `setServers`
 * refuses host names but silently wraps an out-of-range port, hence the port check here.
 */
export function checkDnsServer(entry: string): string | null {
  if (isIP(entry) !== 0) return null; // a bare address: port 53
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry) ?? /^([^:]+):(\d{1,5})$/.exec(entry);
  if (!match || isIP(match[1]!) === 0) return `"${entry}" is not ip, ip:port or [ipv6]:port (host names are not allowed)`;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return `"${entry}": port must be 1-65535`;
  return null;
}

/** A `TxtResolver` over Node's c-ares resolver (`node:dns/promises`), one try per server. */
export function createDnsTxtResolver(options: DnsTxtResolverOptions): TxtResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 });
  if (options.servers.length > 0) resolver.setServers([...options.servers]);
  return {
    async resolveTxt(domain) {
      try {
        return await resolver.resolveTxt(domain);
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? 'EUNKNOWN');
        throw new TxtLookupError(NOT_FOUND.has(code) ? 'not_found' : 'unavailable', code, { cause: error });
      }
    },
  };
}
