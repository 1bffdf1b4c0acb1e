// Core's EIP-712 digest (noble keccak) and the ID wallets' typed-data signatures on the secp256k1
// workers, judged by ethers: TypedDataEncoder.hash for the digest, Wallet.signTypedData for the
// signature's bytes (RFC 6979 is deterministic: the same key and digest give the same signature),
// verifyTypedData for the signer. The typed data here are written for the test, not taken from the kit.
import assert from 'node:assert/strict';
import { checksumAddress, createEnvelopeEncryption, recoverTypedDataSigner, typedDataDigest, type TypedDataRequest } from '@w3kit/core';
import { createManualClock } from '@w3kit/core/testing';
import { getAddress, hexlify, TypedDataEncoder, verifyTypedData, Wallet } from 'ethers';
import { createWalletService } from '../src/wallet-service.js';

const ethersDigest = (t: TypedDataRequest) => TypedDataEncoder.hash(t.domain, t.types, t.value);
const digestHex = (t: TypedDataRequest) => hexlify(typedDataDigest(t));

const MAIL: TypedDataRequest = {
  domain: { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
  types: {
    Person: [
      { name: 'name', type: 'string' },
      { name: 'wallet', type: 'address' },
    ],
    Mail: [
      { name: 'from', type: 'Person' },
      { name: 'to', type: 'Person' },
      { name: 'contents', type: 'string' },
    ],
  },
  value: {
    from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
    to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
    contents: 'Hello, Bob!',
  },
};

/** Every kind of field: nested structs, arrays of structs and of arrays, signed and unsigned widths, bytes, bool, `uint`. */
const EVERYTHING: TypedDataRequest = {
  domain: { name: 'w3kit test', version: '2', chainId: 137n, salt: `0x${'5a'.repeat(32)}` },
  types: {
    Order: [
      { name: 'id', type: 'uint' },
      { name: 'delta', type: 'int64' },
      { name: 'small', type: 'uint8' },
      { name: 'flag', type: 'bool' },
      { name: 'off', type: 'bool' },
      { name: 'tag', type: 'bytes4' },
      { name: 'blob', type: 'bytes' },
      { name: 'note', type: 'string' },
      { name: 'items', type: 'Item[]' },
      { name: 'grid', type: 'uint16[2][]' },
      { name: 'owner', type: 'Party' },
    ],
    Item: [
      { name: 'sku', type: 'string' },
      { name: 'count', type: 'uint256' },
      { name: 'by', type: 'Party' },
    ],
    Party: [
      { name: 'who', type: 'address' },
      { name: 'names', type: 'string[]' },
    ],
  },
  value: {
    id: '0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    delta: -9_007_199_254_740_991,
    small: '255',
    flag: true,
    off: 0,
    tag: '0xdeadbeef',
    blob: '0x0102030405',
    note: 'Ünïcode “quotes” 🦊',
    items: [
      { sku: 'a', count: 1n, by: { who: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', names: [] } },
      { sku: 'b', count: '12345678901234567890', by: { who: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', names: ['x', 'y'] } },
    ],
    grid: [
      [1, 2],
      [65535, 0],
    ],
    owner: { who: '0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266', names: ['owner'] },
  },
};

describe('core typed-data digest and the ID wallets’ worker signatures, ethers the judge', function () {
  this.timeout(30_000);

  it('the digest is ethers’ TypedDataEncoder.hash: the EIP-712 Mail example, every field kind, each domain field set', () => {
    assert.equal(digestHex(MAIL), ethersDigest(MAIL));
    assert.equal(digestHex(EVERYTHING), ethersDigest(EVERYTHING));
    for (const domain of [
      {},
      { name: 'only a name' },
      { chainId: 0 },
      { version: '1', verifyingContract: '0x0000000000000000000000000000000000000001' },
      { name: 'n', salt: `0x${'00'.repeat(32)}`, chainId: null },
    ]) {
      const t = { ...MAIL, domain };
      assert.equal(digestHex(t), ethersDigest(t), JSON.stringify(domain));
    }
  });

  it('what ethers refuses, the digest refuses too (and what ethers takes it takes)', () => {
    const refused: [string, TypedDataRequest][] = [
      ['a bad checksum', { ...MAIL, value: { ...MAIL.value, to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbb' } } }],
      ['a short address', { ...MAIL, value: { ...MAIL.value, to: { name: 'Bob', wallet: '0xbbbb' } } }],
      ['uint8 out of range', { ...EVERYTHING, value: { ...EVERYTHING.value, small: 256 } }],
      ['int64 below its range', { ...EVERYTHING, value: { ...EVERYTHING.value, delta: '-9223372036854775809' } }],
      ['bytes4 of 3 bytes', { ...EVERYTHING, value: { ...EVERYTHING.value, tag: '0xdeadbe' } }],
      ['a fixed array of the wrong length', { ...EVERYTHING, value: { ...EVERYTHING.value, grid: [[1, 2, 3]] } }],
      ['an unknown domain key', { ...MAIL, domain: { ...MAIL.domain, extra: 'x' } }],
      ['a negative chain id', { ...MAIL, domain: { ...MAIL.domain, chainId: -1 } }],
      ['two primary types', { ...MAIL, types: { ...MAIL.types, Unused: [{ name: 'x', type: 'uint256' }] } }],
      ['an unknown type', { ...MAIL, types: { Mail: [{ name: 'from', type: 'Nobody' }] } }],
      [
        'a duplicate field',
        {
          ...MAIL,
          types: {
            Mail: [
              { name: 'a', type: 'string' },
              { name: 'a', type: 'string' },
            ],
          },
        },
      ],
      ['a circular type', { ...MAIL, types: { A: [{ name: 'b', type: 'B' }], B: [{ name: 'a', type: 'A' }], Top: [{ name: 'a', type: 'A' }] } }],
      ['uint7', { ...MAIL, types: { Mail: [{ name: 'a', type: 'uint7' }] }, value: { a: 1 } }],
    ];
    for (const [what, t] of refused) {
      assert.throws(() => ethersDigest(t), `ethers refuses ${what}`);
      assert.throws(() => typedDataDigest(t), TypeError, what);
    }
    const lowerAddress = { ...MAIL, value: { ...MAIL.value, to: { name: 'Bob', wallet: '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' } } };
    assert.equal(digestHex(lowerAddress), ethersDigest(lowerAddress), 'an all-lower-case address needs no checksum');
  });

  it('checksumAddress is ethers’ getAddress; recoverTypedDataSigner is verifyTypedData (and another value recovers another address)', async () => {
    for (let i = 0; i < 5; i++) {
      const address = Wallet.createRandom().address;
      assert.equal(checksumAddress(address.toLowerCase()), getAddress(address.toLowerCase()));
    }
    const wallet = Wallet.createRandom();
    const signature = await wallet.signTypedData(EVERYTHING.domain, EVERYTHING.types, EVERYTHING.value);
    assert.equal(recoverTypedDataSigner(EVERYTHING, signature), verifyTypedData(EVERYTHING.domain, EVERYTHING.types, EVERYTHING.value, signature));
    assert.equal(recoverTypedDataSigner(EVERYTHING, signature), wallet.address);
    const changed = { ...EVERYTHING, value: { ...EVERYTHING.value, note: 'changed' } };
    assert.notEqual(recoverTypedDataSigner(changed, signature), wallet.address);
    assert.throws(() => recoverTypedDataSigner(EVERYTHING, signature.slice(0, -2)), TypeError);
  });

  it('an ID wallet signs on the workers the bytes ethers’ Wallet.signTypedData makes with the same key, for 40 wallets at once', async () => {
    const encryption = createEnvelopeEncryption('11'.repeat(32));
    const wallets = createWalletService({ encryption, clock: createManualClock() });
    const records = Array.from({ length: 40 }, () => wallets.generate());
    const typed = [MAIL, EVERYTHING];
    const ours = await Promise.all(records.map((r, i) => wallets.signTypedData(r, typed[i % 2]!)));
    for (const [i, record] of records.entries()) {
      const t = typed[i % 2]!;
      const key = encryption.decrypt(record.encryptedPrivateKey, `auth.id-wallet:${record.address.toLowerCase()}`).toString('utf8');
      assert.equal(ours[i], await new Wallet(key).signTypedData(t.domain, t.types, t.value), `wallet ${i}`);
      assert.equal(verifyTypedData(t.domain, t.types, t.value, ours[i]), record.address);
    }
  });

  it('bad typed data is refused before the key is opened, and the workers still sign afterwards', async () => {
    const encryption = createEnvelopeEncryption('22'.repeat(32));
    const wallets = createWalletService({ encryption, clock: createManualClock() });
    const record = wallets.generate();
    await assert.rejects(wallets.signTypedData(record, { ...MAIL, domain: { nope: 1 } }), TypeError);
    await assert.rejects(wallets.signTypedData({ ...record, encryptedPrivateKey: wallets.generate().encryptedPrivateKey }, MAIL), 'another wallet’s sealed key does not open for this address');
    assert.equal(verifyTypedData(MAIL.domain, MAIL.types, MAIL.value, await wallets.signTypedData(record, MAIL)), record.address);
  });
});
