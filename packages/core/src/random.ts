import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** The kit's only source of randomness: a CSPRNG, provided through the container. */
export interface RandomSource {
  bytes(length: number): Buffer;
  /** A string of `length` decimal digits, each uniformly distributed (e.g. a 6-digit code). */
  digits(length: number): string;
  /** `bytes` random bytes as base64url: an opaque, unguessable token. */
  token(bytes?: number): string;
  uuid(): string;
}

export const cryptoRandom: RandomSource = {
  bytes: (length) => randomBytes(length),
  digits(length) {
    let out = '';
    for (let i = 0; i < length; i++) out += String(randomInt(10));
    return out;
  },
  token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  uuid: () => randomUUID(),
};
