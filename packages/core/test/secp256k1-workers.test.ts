import assert from 'node:assert/strict';
import { hashMessage, recoverAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
// the built module: its worker is a built file beside it (tests run the sources under tsx, workers do not)
import { createSecp256k1Workers } from '../dist/crypto/secp256k1-workers.js';

// viem signs and recovers (an outside judge); the workers recover and sign on their threads.
async function signed(text: string) {
  const account = privateKeyToAccount(generatePrivateKey());
  const signature = await account.signMessage({ message: text });
  const v = Number.parseInt(signature.slice(130), 16);
  return { address: account.address.slice(2).toLowerCase(), digest: hashMessage(text).slice(2), rs: signature.slice(2, 130), bit: (v - 27) as 0 | 1 };
}

describe('core secp256k1 workers: recovery and signing on worker threads', function () {
  this.timeout(30_000);

  it('60 recoveries of 6 keys at once on two workers: each answers its own signer', async () => {
    const pool = createSecp256k1Workers(2);
    const cases = await Promise.all(Array.from({ length: 6 }, (_, i) => signed(`message ${i}`)));
    const all = Array.from({ length: 60 }, (_, i) => cases[i % cases.length]!);
    const answers = await Promise.all(all.map((c) => pool.recoverAddress(c.digest, c.rs, c.bit)));
    assert.deepEqual(
      answers,
      all.map((c) => c.address),
    );
  });

  it('another digest, the other recovery bit, r = 0 and non-hex answer another signer or none, never a throw', async () => {
    const pool = createSecp256k1Workers(1);
    const c = await signed('hello');
    assert.notEqual(await pool.recoverAddress(hashMessage('hello!').slice(2), c.rs, c.bit), c.address);
    assert.notEqual(await pool.recoverAddress(c.digest, c.rs, (1 - c.bit) as 0 | 1), c.address);
    assert.equal(await pool.recoverAddress(c.digest, '0'.repeat(64) + c.rs.slice(64), c.bit), null);
    assert.equal(await pool.recoverAddress(c.digest, 'zz'.repeat(64), c.bit), null);
    assert.equal(await pool.recoverAddress(c.digest, c.rs, c.bit), c.address, 'the worker still answers after refusals');
  });

  it('signs as noble does on the event loop (RFC 6979: the same bytes), low-S; viem recovers the address of the key', async () => {
    const pool = createSecp256k1Workers(2);
    const privateKey = generatePrivateKey();
    const account = privateKeyToAccount(privateKey);
    const key = pool.signingKey(Buffer.from(privateKey.slice(2), 'hex'));
    for (const text of ['one', 'two', 'three']) {
      const digest = hashMessage(text);
      const { compact, recovery } = await key.sign(digest.slice(2));
      const expected = await account.sign({ hash: digest }); // viem: r ‖ s ‖ v (27 + recovery)
      assert.equal(`0x${compact}${(27 + recovery).toString(16)}`, expected, text);
      assert.equal(await recoverAddress({ hash: digest, signature: expected }), account.address);
    }
    const signatures = await Promise.all(Array.from({ length: 20 }, () => key.sign(hashMessage('same').slice(2))));
    assert.equal(new Set(signatures.map((s) => s.compact)).size, 1, 'deterministic, whichever worker signs');
  });
});
