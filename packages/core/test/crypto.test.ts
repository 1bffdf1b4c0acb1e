import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createEnvelopeEncryption, createScryptHasher, cryptoRandom } from '@w3kit/core';

describe('core crypto', () => {
  describe('envelope encryption (AES-256-GCM)', () => {
    const key = randomBytes(32).toString('hex');
    const enc = createEnvelopeEncryption(key);

    it('round-trips, with a fresh data key and IV each time', () => {
      const a = enc.encrypt('0xprivate', 'wallet:0xabc');
      const b = enc.encrypt('0xprivate', 'wallet:0xabc');
      assert.notEqual(a, b);
      assert.doesNotMatch(a, /private/);
      assert.equal(enc.decrypt(a, 'wallet:0xabc').toString(), '0xprivate');
    });

    it('refuses another context, a tampered ciphertext and another master key', () => {
      const sealed = enc.encrypt('secret', 'wallet:1');
      assert.throws(() => enc.decrypt(sealed, 'wallet:2'));
      const parts = sealed.split('.');
      const body = Buffer.from(parts[3]!, 'base64url');
      body[body.length - 20]! ^= 1;
      parts[3] = body.toString('base64url');
      assert.throws(() => enc.decrypt(parts.join('.'), 'wallet:1'));
      const other = createEnvelopeEncryption(randomBytes(32).toString('hex'));
      assert.throws(() => other.decrypt(sealed, 'wallet:1'), /unknown master key/);
    });

    it('decrypts under a previous key during a rotation and says what to re-encrypt', () => {
      const old = enc.encrypt('kept', 'ctx');
      const rotated = createEnvelopeEncryption(randomBytes(32).toString('hex'), [key]);
      assert.equal(rotated.decrypt(old, 'ctx').toString(), 'kept');
      assert.equal(rotated.needsReencrypt(old), true);
      assert.equal(rotated.needsReencrypt(rotated.encrypt('new', 'ctx')), false);
    });

    it('rejects a malformed master key', () => {
      assert.throws(() => createEnvelopeEncryption('abc'), /master key must be 64 hex characters/);
    });

    it('digests are keyed and purpose-bound', () => {
      assert.equal(enc.digest('a', 'x'), enc.digest('a', 'x'));
      assert.notEqual(enc.digest('a', 'x'), enc.digest('b', 'x'));
      assert.notEqual(enc.digest('a', 'x'), createEnvelopeEncryption(randomBytes(32).toString('hex')).digest('a', 'x'));
    });
  });

  describe('scrypt secret hasher', () => {
    const hasher = createScryptHasher(12);

    it('verifies the right secret only; salts every hash', async () => {
      const stored = await hasher.hash('correct horse');
      assert.match(stored, /^\$scrypt\$ln=12,r=8,p=1\$/);
      assert.notEqual(stored, await hasher.hash('correct horse'));
      assert.equal(await hasher.verify('correct horse', stored), true);
      assert.equal(await hasher.verify('correct horse!', stored), false);
    });

    it('spends the work even for an unknown account, and answers false', async () => {
      assert.equal(await hasher.verify('anything', null), false);
      assert.equal(await hasher.verify('anything', 'not a hash'), false);
    });

    it('asks for a rehash when the cost went up', async () => {
      const weak = await hasher.hash('pw');
      assert.equal(createScryptHasher(13).needsRehash(weak), true);
      assert.equal(hasher.needsRehash(weak), false);
      assert.throws(() => createScryptHasher(3), /scrypt cost must be an integer between 10 and 20/);
    });
  });

  it('random digits are uniform enough and tokens unguessable', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 2000; i++) for (const d of cryptoRandom.digits(6)) counts[Number(d)]++;
    assert.ok(
      counts.every((c) => c > 1000 && c < 1400),
      `digit counts ${counts.join(',')}`,
    );
    assert.match(cryptoRandom.token(), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(cryptoRandom.token(), cryptoRandom.token());
  });

  it('uuids are version-4 UUIDs, distinct across the batches they are drawn in, their random digits uniform', () => {
    const uuids = Array.from({ length: 1000 }, () => cryptoRandom.uuid());
    for (const uuid of uuids) assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(uuids).size, uuids.length);
    // the 30 digits that are all random (not the version, not the variant's): each hex digit about 1/16 of them
    const counts = new Map<string, number>();
    for (const uuid of uuids) {
      const hex = uuid.replace(/-/g, '');
      for (const digit of hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17)) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    }
    assert.equal(counts.size, 16);
    for (const [digit, count] of counts) assert.ok(count > 1600 && count < 2150, `digit ${digit}: ${count} of 30000`);
    // the variant digit is one of four, each about a quarter of the time
    const variants = new Map<string, number>();
    for (const uuid of uuids) variants.set(uuid[19]!, (variants.get(uuid[19]!) ?? 0) + 1);
    for (const count of variants.values()) assert.ok(count > 180 && count < 320, `variant counts ${[...variants].join(' ')}`);
  });
});
