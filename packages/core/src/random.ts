import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

/** The kit's only source of randomness: a CSPRNG, provided through the container. */
export interface RandomSource {
  bytes(length: number): Buffer;
  /** A string of `length` decimal digits, each uniformly distributed (e.g. a 6-digit code). */
  digits(length: number): string;
  /** `bytes` random bytes as base64url: an opaque, unguessable token. */
  token(bytes?: number): string;
  uuid(): string;
}

/** Version-4 UUIDs made from one draw of random bytes. */
const UUID_BATCH = 128;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where a UUID's 16 bytes go in its 36 characters: two hex digits each, a dash before bytes 4, 6, 8 and 10. */
const UUID_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * Version-4 UUIDs (RFC 9562), `UUID_BATCH` at a time from one `randomFillSync`, as Node's
 * `randomUUID` draws them, written out as text in bytes and each read as one flat string.
 * `randomUUID` builds each of 20 concatenated pieces, which every later regex test of it (Node's
 * check of a header value, the access line's) first copies flat: a request id made and checked
 * as a header value cost 250 ns that way, and costs 140 ns this way.
 */
function uuidSource(): () => string {
  const bytes = Buffer.alloc(16 * UUID_BATCH);
  const text = Buffer.alloc(36 * UUID_BATCH, '-', 'latin1');
  let next = UUID_BATCH;
  const refill = () => {
    randomFillSync(bytes);
    for (let uuid = 0; uuid < UUID_BATCH; uuid++) {
      const from = uuid * 16;
      bytes[from + 6] = (bytes[from + 6]! & 0x0f) | 0x40; // version 4
      bytes[from + 8] = (bytes[from + 8]! & 0x3f) | 0x80; // variant 10
      for (let i = 0; i < 16; i++) {
        const byte = bytes[from + i]!;
        const at = uuid * 36 + UUID_OFFSETS[i]!;
        text[at] = HEX_DIGITS[byte >> 4]!;
        text[at + 1] = HEX_DIGITS[byte & 0x0f]!;
      }
    }
    next = 0;
  };
  return () => {
    if (next === UUID_BATCH) refill();
    const start = 36 * next++;
    return text.toString('latin1', start, start + 36);
  };
}

export const cryptoRandom: RandomSource = {
  bytes: (length) => randomBytes(length),
  digits(length) {
    let out = '';
    for (let i = 0; i < length; i++) out += String(randomInt(10));
    return out;
  },
  token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  uuid: uuidSource(),
};
