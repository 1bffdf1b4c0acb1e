// Issue 17 (idle RSS): core's @noble replacements of ethers' getAddress, computeAddress,
// SigningKey.computePublicKey and recoverPublicKey, judged by ethers itself on random keys and on
// the inputs ethers refuses; and lazyModule, which loads the heavy libraries on first use.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { addressOfPublicKey, checksumAddress, lazyModule, ModuleLoadError, recoverPublicKey, secp256k1KeyPair, uncompressedPublicKey } from '@w3kit/core';
import { computeAddress, getAddress, Signature, SigningKey } from 'ethers';

describe('lazy ethers: core address and key helpers against ethers', () => {
  it('checksumAddress is getAddress for lower, upper, checksummed and unprefixed hex addresses', () => {
    for (let i = 0; i < 50; i++) {
      const lower = `0x${randomBytes(20).toString('hex')}`;
      const expected = getAddress(lower);
      assert.equal(checksumAddress(lower), expected);
      assert.equal(checksumAddress(`0x${lower.slice(2).toUpperCase()}`), getAddress(`0x${lower.slice(2).toUpperCase()}`));
      assert.equal(checksumAddress(expected), expected);
      assert.equal(checksumAddress(lower.slice(2)), getAddress(lower.slice(2)));
    }
  });

  it('checksumAddress refuses what getAddress refuses: a wrong mixed-case checksum, bad length, non-hex', () => {
    const good = getAddress(`0x${'5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'}`);
    // flip the case of one letter: a typo the checksum catches
    const at = good.search(/[a-fA-F]/u);
    const typo = good.slice(0, at) + (good[at] === good[at]!.toUpperCase() ? good[at].toLowerCase() : good[at]!.toUpperCase()) + good.slice(at + 1);
    for (const bad of [typo, '0x1234', `0x${'g'.repeat(40)}`, `${good}00`, '']) {
      assert.throws(() => getAddress(bad), `ethers refuses ${bad}`);
      assert.throws(() => checksumAddress(bad), TypeError, `refuses ${bad}`);
    }
  });

  it('addressOfPublicKey and uncompressedPublicKey are computeAddress and SigningKey.computePublicKey for compressed and uncompressed keys', () => {
    for (let i = 0; i < 20; i++) {
      const key = new SigningKey(randomBytes(32));
      for (const form of [key.publicKey, key.compressedPublicKey]) {
        assert.equal(addressOfPublicKey(form), computeAddress(form));
        assert.equal(uncompressedPublicKey(form), SigningKey.computePublicKey(form, false));
      }
      assert.equal(addressOfPublicKey(Buffer.from(key.publicKey.slice(2), 'hex')), computeAddress(key.publicKey));
    }
    // not a point of the curve (x = 5 has no y on secp256k1), and not hex
    for (const bad of [`0x02${'00'.repeat(31)}05`, '0x02zz', '02abcdef']) {
      assert.throws(() => computeAddress(bad));
      assert.throws(() => addressOfPublicKey(bad));
    }
  });

  it('secp256k1KeyPair shows a key as ethers SigningKey does, and refuses zero and the curve order', () => {
    const bytes = randomBytes(32);
    const ethersKey = new SigningKey(bytes);
    assert.deepEqual(secp256k1KeyPair(bytes), { privateKey: ethersKey.privateKey, publicKey: ethersKey.publicKey });
    assert.throws(() => secp256k1KeyPair(Buffer.alloc(32)), TypeError);
    assert.throws(() => secp256k1KeyPair(Buffer.from('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 'hex')), TypeError);
  });

  it('recoverPublicKey is SigningKey.recoverPublicKey for both recovery bits, and null where there is no key', () => {
    for (let i = 0; i < 20; i++) {
      const key = new SigningKey(randomBytes(32));
      const digest = randomBytes(32);
      const signature = key.sign(digest);
      const r = BigInt(signature.r);
      const s = BigInt(signature.s);
      const recovered = recoverPublicKey(digest, r, s, signature.yParity);
      assert.equal(`0x${Buffer.from(recovered!).toString('hex')}`, key.publicKey);
      const other = recoverPublicKey(digest, r, s, (1 - signature.yParity) as 0 | 1);
      assert.equal(other && `0x${Buffer.from(other).toString('hex')}`, SigningKey.recoverPublicKey(digest, Signature.from({ r: signature.r, s: signature.s, v: 27 + 1 - signature.yParity })));
    }
    assert.equal(recoverPublicKey(randomBytes(32), 0n, 1n, 0), null, 'r = 0');
    assert.equal(recoverPublicKey(randomBytes(32), 1n, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n, 0), null, 's = n');
  });
});

describe('lazy ethers: lazyModule', () => {
  it('loads once for concurrent first calls, and keeps the module', async () => {
    let loads = 0;
    const load = lazyModule(async () => ({ n: ++loads }));
    const [a, b] = await Promise.all([load(), load()]);
    assert.equal(a, b);
    assert.equal(await load(), a);
    assert.equal(loads, 1);
  });

  it('a failed import reaches the caller as a ModuleLoadError and is tried again on the next call', async () => {
    let tries = 0;
    const load = lazyModule(async () => {
      tries++;
      if (tries === 1) throw new Error('Cannot find package');
      return 'loaded';
    });
    await assert.rejects(load(), (error: unknown) => {
      // the server's fault, in words for no client: the import's own error is only the cause (for the log)
      assert.ok(error instanceof ModuleLoadError);
      assert.equal(error.message, 'a library could not be loaded');
      assert.match(String((error.cause as Error).message), /Cannot find package/);
      return true;
    });
    assert.equal(await load(), 'loaded');
    assert.equal(tries, 2);
  });
});
