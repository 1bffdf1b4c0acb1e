import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Memory-hard hashing of low-entropy secrets (passwords). High-entropy tokens use HMAC instead. */
export interface SecretHasher {
  hash(secret: string): Promise<string>;
  /**
   * True when `secret` matches `stored`. With `stored === null` it still spends the same work
   * against a dummy hash and returns false, so "unknown user" and "wrong password" take equal time.
   */
  verify(secret: string, stored: string | null): Promise<boolean>;
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
 * hundred ms). Lower costs are for tests only.
 */
export function createScryptHasher(cost = 17): SecretHasher {
  if (!Number.isInteger(cost) || cost < 10 || cost > 20) {
    throw new TypeError(`scrypt cost must be an integer between 10 and 20, got ${cost}`);
  }
  const derive = (secret: string, salt: Buffer, ln: number, r: number, p: number) =>
    scryptAsync(secret.normalize('NFKC'), salt, KEY_LENGTH, { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 });
  const format = (salt: Buffer, hash: Buffer) => `$scrypt$ln=${cost},r=${R},p=${P}$${b64(salt)}$${b64(hash)}`;
  let dummy: Promise<string> | undefined;
  const hasher: SecretHasher = {
    async hash(secret) {
      const salt = randomBytes(16);
      return format(salt, await derive(secret, salt, cost, R, P));
    },
    async verify(secret, stored) {
      const params = stored === null ? null : parse(stored);
      if (!params) {
        dummy ??= hasher.hash('w3kit dummy secret');
        const fake = parse(await dummy)!;
        await derive(secret, fake.salt, fake.ln, fake.r, fake.p);
        return false;
      }
      const candidate = await derive(secret, params.salt, params.ln, params.r, params.p);
      return candidate.length === params.hash.length && timingSafeEqual(candidate, params.hash);
    },
    needsRehash(stored) {
      const params = parse(stored);
      return !params || params.ln < cost || params.r < R;
    },
  };
  return hasher;
}
