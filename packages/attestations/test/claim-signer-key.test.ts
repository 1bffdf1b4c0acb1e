import assert from 'node:assert/strict';
import { createClaimSigner } from '@w3kit/attestations';
import { Wallet } from 'ethers';

const REFUSED = /^TypeError: attestations: signerKey must be a hex private key \(0x \+ 64 hex characters\)$/;

describe('claim signer: the signer key as configured', () => {
  const key = Wallet.createRandom().privateKey; // 0x + 64 hex
  const address = new Wallet(key).address;

  it('takes 64 hex characters with or without 0x, in either letter case, as the same key', () => {
    assert.equal(createClaimSigner(key).address, address);
    assert.equal(createClaimSigner(key.slice(2)).address, address);
    assert.equal(createClaimSigner(`0x${key.slice(2).toUpperCase()}`).address, address);
  });

  it('refuses anything else with the kit’s own message, not a library error: extra characters before or after, 63 or 65 digits', () => {
    for (const bad of [`x${key}`, `${key}0`, `${key} `, key.slice(0, -1), `0x0${key.slice(2)}`, `00${key.slice(2)}`, '']) {
      assert.throws(
        () => createClaimSigner(bad),
        (error: Error) => REFUSED.test(String(error)),
        JSON.stringify(bad),
      );
    }
  });
});
