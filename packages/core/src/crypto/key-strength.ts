/**
 * Why a 32-byte key given as hex looks made up by hand rather than drawn at random, or
 * undefined when it does not. The rule, each part of which a key from `openssl rand -hex 32`
 * fails with a probability below 10^-16 (so a real key is never refused):
 *
 * - fewer than 16 distinct byte values (a random key has about 30; all zeros has one);
 * - a repeating block of 16 bytes or fewer (`abab…`, `deadbeef…`, two equal halves);
 * - an arithmetic sequence of bytes (`000102…1f`, `ff fe fd …`).
 *
 * It cannot see a key derived from a guessable password: that one passes, so keys come from a
 * random generator, as the docs say.
 */
export function weakKeyReason(hex: string): string | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return 'is not 64 hex characters';
  const bytes = Buffer.from(hex, 'hex');
  if (new Set(bytes).size < 16) return `uses only ${new Set(bytes).size} of 256 byte values (a random key uses about 30)`;
  for (let period = 1; period <= 16; period++) {
    if (bytes.every((byte, i) => i + period >= bytes.length || byte === bytes[i + period])) return `repeats a block of ${period} bytes`;
  }
  const step = (bytes[1]! - bytes[0]! + 256) % 256;
  if (bytes.every((byte, i) => i === 0 || (byte - bytes[i - 1]! + 256) % 256 === step)) return 'is a counting sequence of bytes';
  return undefined;
}
