import { availableParallelism } from 'node:os';

/** Options of the oid4vp plugin. Every field has a default. */
export interface Oid4vpOptions {
  /**
   * The `vct` of the SD-JWT VC a login asks for (DCQL `meta.vct_values`) and accepts. Default
   * `<publicUrl>/credentials/account`: the account credential the kit's issuer (oid4vci) issues.
   */
  vct?: string;
  /** How long a started request can be fetched and answered, in seconds. Default 300. */
  requestTtlSeconds?: number;
  /** How long a completed login can be collected by the site, in seconds. Default 120. */
  resultTtlSeconds?: number;
  /** How old a key-binding JWT (`iat`) may be, in seconds; also the allowed clock skew ahead. Default 300. */
  keyBindingMaxAgeSeconds?: number;
  /**
   * The origins a same-device request may send the wallet back to (`redirect_uri` of the start
   * call). Default: the origin of `publicUrl` only (no open redirect).
   */
  redirectOrigins?: string[];
  /** Serve the demo login page at `<base>/login`. Default false. */
  loginPage?: boolean;
  /**
   * Worker threads for a presentation's offline checks (decoding, signatures, disclosures, key
   * binding), shared by every kit of the process with the same number. Default one per core but
   * one (at least one): the event loop serves other requests meanwhile and the other cores do the
   * checks. 0 runs them on the event loop: less CPU per answer (no hand-over), fewer answers per
   * second where cores are idle.
   */
  presentationWorkers?: number;
}

export interface ResolvedOid4vpOptions {
  vct: string | undefined;
  requestTtlSeconds: number;
  resultTtlSeconds: number;
  keyBindingMaxAgeSeconds: number;
  redirectOrigins: string[] | undefined;
  loginPage: boolean;
  presentationWorkers: number;
}

function workerCount(value: number | undefined): number {
  const count = value ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isSafeInteger(count) || count < 0) throw new TypeError('oid4vp: presentationWorkers must be a non-negative integer');
  return count;
}

/** Checks the options at composition time: a bad value is a clear startup error. */
export function resolveOid4vpOptions(options: Oid4vpOptions = {}): ResolvedOid4vpOptions {
  const positive = (name: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isSafeInteger(v) || v <= 0) throw new TypeError(`oid4vp: ${name} must be a positive integer`);
    return v;
  };
  const redirectOrigins = options.redirectOrigins?.map((origin) => {
    const url = new URL(origin);
    if (url.origin !== origin.replace(/\/$/, '')) throw new TypeError(`oid4vp: "${origin}" is not an origin (scheme://host[:port], no path)`);
    return url.origin;
  });
  if (options.vct !== undefined && !/^\S+$/.test(options.vct)) throw new TypeError('oid4vp: vct must be a non-empty string without spaces');
  return {
    vct: options.vct,
    requestTtlSeconds: positive('requestTtlSeconds', options.requestTtlSeconds, 300),
    resultTtlSeconds: positive('resultTtlSeconds', options.resultTtlSeconds, 120),
    keyBindingMaxAgeSeconds: positive('keyBindingMaxAgeSeconds', options.keyBindingMaxAgeSeconds, 300),
    redirectOrigins,
    loginPage: options.loginPage ?? false,
    presentationWorkers: workerCount(options.presentationWorkers),
  };
}
