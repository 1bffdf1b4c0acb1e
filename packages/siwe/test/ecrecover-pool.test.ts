import assert from 'node:assert/strict';
import { hashMessage } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
// the built module: its worker is a built file beside it (tests run the sources under tsx, workers do not)
import { createRecoveryPool } from '../dist/ecrecover-pool.js';

// viem signs (the wallet side, an outside judge); the pool recovers on its worker threads.
async function signed(text: string) {
  const account = privateKeyToAccount(generatePrivateKey());
  const signature = await account.signMessage({ message: text });
  const v = Number.parseInt(signature.slice(130), 16);
  return { address: account.address.slice(2).toLowerCase(), digest: hashMessage(text).slice(2), rs: signature.slice(2, 130), bit: (v - 27) as 0 | 1 };
}

describe('siwe ecrecover pool: recovery on worker threads', function () {
  this.timeout(30_000);

  it('60 recoveries of 6 keys at once on two workers: each answers its own signer', async () => {
    const pool = createRecoveryPool(2);
    const cases = await Promise.all(Array.from({ length: 6 }, (_, i) => signed(`message ${i}`)));
    const all = Array.from({ length: 60 }, (_, i) => cases[i % cases.length]!);
    const answers = await Promise.all(all.map((c) => pool.recover(c.digest, c.rs, c.bit)));
    assert.deepEqual(
      answers,
      all.map((c) => c.address),
    );
  });

  it('another digest, the other recovery bit, r = 0 and non-hex answer another signer or none, never a throw', async () => {
    const pool = createRecoveryPool(1);
    const c = await signed('hello');
    assert.notEqual(await pool.recover(hashMessage('hello!').slice(2), c.rs, c.bit), c.address);
    assert.notEqual(await pool.recover(c.digest, c.rs, (1 - c.bit) as 0 | 1), c.address);
    assert.equal(await pool.recover(c.digest, '0'.repeat(64) + c.rs.slice(64), c.bit), null);
    assert.equal(await pool.recover(c.digest, 'zz'.repeat(64), c.bit), null);
    assert.equal(await pool.recover(c.digest, c.rs, c.bit), c.address, 'the worker still answers after refusals');
  });
});
