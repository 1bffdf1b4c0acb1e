import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { createHashingQueue, type HashingQueue } from './hashing-queue.js';

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Who asks for a hash, so the hashing queue can share its slots fairly. */
export interface HashRequest {
  /** The fairness key: the client IP for requests, a fixed name for operators' tools. Default `''`. */
  queueKey?: string;
}

/**
 * Memory-hard hashing of low-entropy secrets (passwords). High-entropy tokens use HMAC instead.
 * Every hash waits its turn in a bounded queue and may be refused with 503 SERVICE_UNAVAILABLE
 * (with `retry-after`) when too many wait.
 */
export interface SecretHasher {
  hash(secret: string, request?: HashRequest): Promise<string>;
  /**
   * True when `secret` matches `stored`. With `stored === null` it still spends the same work
   * (one hash with the current parameters) and returns false, so "unknown user" and "wrong
   * password" take equal time.
   */
  verify(secret: string, stored: string | null, request?: HashRequest): Promise<boolean>;
  /** True when `stored` was made with weaker parameters than the current ones. */
  needsRehash(stored: string): boolean;
}

const KEY_LENGTH = 32;
const R = 8;
const P = 1;

interface ScryptParams {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parse(stored: string): ScryptParams | null {
  // $scrypt$ln=17,r=8,p=1$<salt>$<hash> (PHC string format, base64 without padding)
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!match) return null;
  return {
    ln: Number(match[1]),
    r: Number(match[2]),
    p: Number(match[3]),
    salt: Buffer.from(match[4]!, 'base64'),
    hash: Buffer.from(match[5]!, 'base64'),
  };
}

const b64 = (buffer: Buffer): string => buffer.toString('base64').replace(/=+$/, '');

/**
 * scrypt with N = 2^cost, r = 8, p = 1 (OWASP's recommendation is cost 17: 128 MiB, a few
 * hundred ms). Lower costs are for tests only. Hashes run through `queue` (default: one sized
 * to this machine).
 */
export function createScryptHasher(cost = 17, queue: HashingQueue = createHashingQueue()): SecretHasher {
  if (!Number.isInteger(cost) || cost < 10 || cost > 20) {
    throw new TypeError(`scrypt cost must be an integer between 10 and 20, got ${cost}`);
  }
  const derive = (request: HashRequest | undefined, secret: string, salt: Buffer, ln: number, r: number, p: number) =>
    queue.run(request?.queueKey ?? '', () => scryptAsync(secret.normalize('NFKC'), salt, KEY_LENGTH, { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 }));
  const format = (salt: Buffer, hash: Buffer) => `$scrypt$ln=${cost},r=${R},p=${P}$${b64(salt)}$${b64(hash)}`;
  // The stand-in for a missing or unreadable hash: the current parameters, so it costs what a
  // known account's check costs (the derived key is thrown away; no hash needs computing up front).
  const dummySalt = randomBytes(16);
  return {
    async hash(secret, request) {
      const salt = randomBytes(16);
      return format(salt, await derive(request, secret, salt, cost, R, P));
    },
    async verify(secret, stored, request) {
      const params = stored === null ? null : parse(stored);
      if (!params) {
        await derive(request, secret, dummySalt, cost, R, P);
        return false;
      }
      const candidate = await derive(request, secret, params.salt, params.ln, params.r, params.p);
      return candidate.length === params.hash.length && timingSafeEqual(candidate, params.hash);
    },
    needsRehash(stored) {
      const params = parse(stored);
      return !params || params.ln < cost || params.r < R;
    },
  };
}
