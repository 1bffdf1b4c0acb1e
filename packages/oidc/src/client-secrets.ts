import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are 256 random bits, shown once and stored only as this SHA-256 form (as the
 * kit stores API key secrets): a memory-hard hash adds nothing for a secret this long, and the
 * digest survives a master-key rotation. node-oidc-provider compares through
 * `Client.prototype.compareClientSecret`, which the kit replaces with `matchesClientSecret`.
 */
export const HASHED_SECRET_PREFIX = 'w3kit-sha256:';

export const hashClientSecret = (secret: string) => `${HASHED_SECRET_PREFIX}${createHash('sha256').update(secret, 'utf8').digest('hex')}`;

export function matchesClientSecret(stored: string | undefined, given: string): boolean {
  if (!stored?.startsWith(HASHED_SECRET_PREFIX)) return false;
  const expected = Buffer.from(stored);
  const actual = Buffer.from(hashClientSecret(given));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
