import { sign, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

// the callback forms run in libuv's pool: the event loop serves other requests meanwhile
const verifyInPool = promisify(verify);

/**
 * The kit's own access tokens, signed and checked with node:crypto on cached KeyObjects. jose
 * routes every verify through WebCrypto, whose job and promise cost about 78 µs of CPU per ES256
 * verify on this machine against 45 µs for node:crypto's one-shot verify: the largest part of an
 * authenticated request. The verify runs in libuv's pool (its callback form), as WebCrypto's
 * does: done on the event loop it would leave the machine's other cores idle. Only the two algorithms the kit issues are ever
 * accepted; claims are checked as RFC 7519 and jose's `jwtVerify` check them.
 */

export type AccessTokenAlgorithm = 'ES256' | 'EdDSA';

export interface CompactJwsHeader {
  alg: AccessTokenAlgorithm;
  kid?: unknown;
}

/** A JWT that failed: the reason is for logs, never for the client. */
export class TokenRejected extends Error {}

const ALGORITHMS = new Set<string>(['ES256', 'EdDSA']);

function decodeJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenRejected('not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Verifies a compact JWS's signature with the key `keyFor` answers and returns its payload.
 * `keyFor` sees the header and the signature as sent (for a kid lookup and the low-S rule).
 */
export async function verifyCompactJws(token: string, keyFor: (header: CompactJwsHeader, signature: string) => Promise<KeyObject>): Promise<Record<string, unknown>> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenRejected('not a compact JWS');
  const [protectedHeader, payload, signature] = parts as [string, string, string];
  const header = decodeJson(protectedHeader);
  if (typeof header['alg'] !== 'string' || !ALGORITHMS.has(header['alg'])) throw new TokenRejected('algorithm not accepted');
  // RFC 7515 §4.1.11: an extension the verifier does not understand must fail (b64: false among them)
  if ('crit' in header || 'b64' in header) throw new TokenRejected('unsupported header parameter');
  const bytes = Buffer.from(signature, 'base64url');
  // one encoding per signature: base64url decoding ignores stray characters
  if (bytes.toString('base64url') !== signature) throw new TokenRejected('signature not base64url');
  const alg = header['alg'] as AccessTokenAlgorithm;
  const key = await keyFor({ alg, kid: header['kid'] }, signature);
  const input = Buffer.from(`${protectedHeader}.${payload}`);
  const valid = alg === 'ES256' ? await verifyInPool('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, bytes) : await verifyInPool(null, input, key, bytes);
  if (!valid) throw new TokenRejected('signature does not verify');
  return decodeJson(payload);
}

export interface ClaimRules {
  issuer: string;
  audience: string;
  now: Date;
  required: readonly string[];
}

/** The registered claims of RFC 7519 §4.1, as jose's jwtVerify checks them (no clock tolerance). */
export function checkClaims(claims: Record<string, unknown>, rules: ClaimRules): void {
  for (const name of rules.required) if (!(name in claims)) throw new TokenRejected(`missing ${name}`);
  const now = Math.floor(rules.now.getTime() / 1000);
  if (claims['iss'] !== rules.issuer) throw new TokenRejected('wrong issuer');
  const aud = claims['aud'];
  if (!(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience)))) throw new TokenRejected('wrong audience');
  if ('sub' in claims && typeof claims['sub'] !== 'string') throw new TokenRejected('sub is not a string');
  for (const name of ['exp', 'iat', 'nbf']) if (name in claims && typeof claims[name] !== 'number') throw new TokenRejected(`${name} is not a number`);
  if (typeof claims['exp'] === 'number' && claims['exp'] <= now) throw new TokenRejected('expired');
  if (typeof claims['nbf'] === 'number' && claims['nbf'] > now) throw new TokenRejected('not yet valid');
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A compact JWS of `payload` signed with `key` (ES256 signatures as r ‖ s, RFC 7518 §3.4). The
 * signature is made in libuv's pool (the callback form), as verification is: on the event loop
 * a sign-in's token would hold back every other request for its signature's time.
 */
export function signCompactJws(header: CompactJwsHeader & Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): Promise<string> {
  const input = `${encode(header)}.${encode(payload)}`;
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, signature: Buffer) => (error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`));
    if (header.alg === 'ES256') sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, done);
    else sign(null, Buffer.from(input), key, done);
  });
}
