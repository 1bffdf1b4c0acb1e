import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Digests of the high-entropy secrets the plugin hands out (secretKey, resultToken): a plain
 * SHA-256 is enough for 128 random bits or more, and survives a master-key rotation.
 */
export const secretDigest = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Whether `secret` has the stored digest, compared in constant time. */
export function secretMatches(secret: string | undefined, storedDigest: string): boolean {
  if (secret === undefined) return false;
  const given = Buffer.from(secretDigest(secret), 'hex');
  const stored = Buffer.from(storedDigest, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
