import assert from 'node:assert/strict';
import { claimHash, createClaimSigner, CLAIM_DATA, CLAIM_TYPES, type ClaimSignatureForm } from '@w3kit/attestations';
import { getBytes, id, solidityPackedKeccak256, Wallet } from 'ethers';

// Fixed keys (keccak256 of a label) so a failure names the same input every run.
const KEYS = ['signer-a', 'signer-b', 'signer-c'].map((label) => id(label));
const IDENTITIES = [
  '0xc741715D55De72bF12461760BaAF97E0468e7b86',
  '0x0000000000000000000000000000000000000001',
  '0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF',
  'c741715d55de72bf12461760baaf97e0468e7b86',
];
const CLAIMS = [
  ...Object.entries(CLAIM_TYPES).map(([topic, claimType]) => ({ claimType, data: CLAIM_DATA[topic as keyof typeof CLAIM_TYPES] })),
  { claimType: 0, data: '' },
  { claimType: Number.MAX_SAFE_INTEGER, data: 'données vérifiées ✓' },
];

/** What ethers computes for a claim: the outside judge of the kit's own packing, hashing and signing. */
const ethersHash = (identity: string, claimType: number, data: string) => solidityPackedKeccak256(['address', 'uint256', 'bytes32'], [identity.toLowerCase(), claimType, id(data)]);
const ethersSignature = (key: string, hash: string, form: ClaimSignatureForm) => new Wallet(key).signMessage(form === 'bytes32' ? getBytes(hash) : hash);

describe('claim signer on noble: byte for byte what ethers signs', () => {
  it("the claim hash equals ethers' solidityPackedKeccak256 for every claim type, identity letter case, and data", () => {
    for (const identity of IDENTITIES) {
      for (const { claimType, data } of CLAIMS) assert.equal(claimHash({ identity, claimType, data }), ethersHash(identity, claimType, data), `${identity} ${claimType} ${data}`);
    }
  });

  it("the signature in both forms equals ethers' Wallet.signMessage, and the address equals the Wallet's", async () => {
    for (const key of KEYS) {
      for (const form of ['bytes32', 'legacy-hex-string'] as const) {
        const signer = createClaimSigner(key, form);
        assert.equal(signer.address, new Wallet(key).address);
        for (const identity of IDENTITIES) {
          for (const { claimType, data } of CLAIMS) {
            const signature = await signer.sign({ identity, claimType, data });
            assert.equal(signature, await ethersSignature(key, ethersHash(identity, claimType, data), form), `${form} ${identity} ${claimType}`);
          }
        }
      }
    }
  });

  it('signs the same claim the same way every time (RFC 6979), and two claims differently', async () => {
    const signer = createClaimSigner(KEYS[0]!);
    const claim = { identity: IDENTITIES[0]!, claimType: CLAIM_TYPES.phone, data: CLAIM_DATA.phone };
    const first = await signer.sign(claim);
    assert.equal(await signer.sign(claim), first);
    assert.notEqual(await signer.sign({ ...claim, identity: IDENTITIES[1]! }), first);
    assert.match(first, /^0x[0-9a-f]{128}(1b|1c)$/);
  });

  it('refuses a 64-digit key that is not a secp256k1 private key (zero, the curve order) with the kit’s own message', () => {
    const order = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
    for (const bad of ['0'.repeat(64), order, 'f'.repeat(64)]) {
      assert.throws(() => createClaimSigner(bad), /^TypeError: attestations: signerKey is not a secp256k1 private key \(zero, or not below the curve order\)$/, bad);
    }
  });

  it('refuses to hash a claim for something that is not an address, or with a type that is not a non-negative integer', () => {
    for (const identity of ['0x1234', `0x${'g'.repeat(40)}`, `${IDENTITIES[0]!} `, '']) {
      assert.throws(() => claimHash({ identity, claimType: 10, data: 'phone verified' }), /^TypeError: claim identity must be an address/, identity);
    }
    for (const claimType of [-1, 1.5, Number.NaN, 2 ** 53]) {
      assert.throws(() => claimHash({ identity: IDENTITIES[0]!, claimType, data: 'x' }), /^TypeError: claim type must be a non-negative integer$/, String(claimType));
    }
  });
});
