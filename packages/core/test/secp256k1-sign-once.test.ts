import assert from 'node:assert/strict';
import { hashMessage, recoverAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
// the built module: its worker is a built file beside it (tests run the sources under tsx, workers do not)
import { createSecp256k1Workers } from '../dist/crypto/secp256k1-workers.js';

// viem is the outside judge: its signature of the same digest with the same key (RFC 6979).
describe('core secp256k1 workers: signOnce, a key sent with its one signature', function () {
  this.timeout(30_000);

  it('30 keys, each signing once on two workers: viem’s bytes for each, and viem recovers each key’s address', async () => {
    const pool = createSecp256k1Workers(2);
    const keys = Array.from({ length: 30 }, () => generatePrivateKey());
    const digest = hashMessage('sign once');
    const ours = await Promise.all(keys.map((k) => pool.signOnce(Buffer.from(k.slice(2), 'hex'), digest.slice(2))));
    for (const [i, key] of keys.entries()) {
      const account = privateKeyToAccount(key);
      const signature = `0x${ours[i]!.compact}${(27 + ours[i]!.recovery).toString(16)}` as const;
      assert.equal(signature, await account.sign({ hash: digest }), `key ${i}`);
      assert.equal(await recoverAddress({ hash: digest, signature }), account.address);
    }
  });

  it('a zero key, a key above the curve order and a short digest are refused (TypeError); the worker signs on afterwards', async () => {
    const pool = createSecp256k1Workers(1);
    const digest = hashMessage('x').slice(2);
    await assert.rejects(pool.signOnce(new Uint8Array(32), digest), TypeError);
    await assert.rejects(pool.signOnce(new Uint8Array(32).fill(0xff), digest), TypeError);
    const key = generatePrivateKey();
    await assert.rejects(pool.signOnce(Buffer.from(key.slice(2), 'hex'), 'abcd'), TypeError);
    const { compact, recovery } = await pool.signOnce(Buffer.from(key.slice(2), 'hex'), digest);
    assert.equal(`0x${compact}${(27 + recovery).toString(16)}`, await privateKeyToAccount(key).sign({ hash: `0x${digest}` }));
  });

  it('the caller may zero its key once signOnce has returned its promise: the message holds its own copy', async () => {
    const pool = createSecp256k1Workers(1);
    const key = generatePrivateKey();
    const bytes = Buffer.from(key.slice(2), 'hex');
    const digest = hashMessage('zeroed').slice(2);
    const pending = pool.signOnce(bytes, digest);
    bytes.fill(0);
    const { compact, recovery } = await pending;
    assert.equal(`0x${compact}${(27 + recovery).toString(16)}`, await privateKeyToAccount(key).sign({ hash: `0x${digest}` }));
  });
});
