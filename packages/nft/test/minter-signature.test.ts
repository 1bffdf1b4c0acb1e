/**
 * The minter signature against a known vector and against docs/nft.md alone: the EIP-712 domain
 * and types are written here from the docs (not imported from the kit), the canonical JSON is a
 * hand-written string, and the expected hash, digest and signature are constants (computed once
 * with ethers from those documented inputs and a fixed, well-known test key). So the signer
 * cannot change together with its checker.
 */
import assert from 'node:assert/strict';
import { testDatabases } from '@w3kit/core/testing';
import { canonicalJson, metadataHash, mintTypedData, recoverMinter } from '@w3kit/nft';
import { keccak256, toUtf8Bytes, TypedDataEncoder, verifyTypedData, Wallet } from 'ethers';
import request from 'supertest';
import { type Actor, addressOfJwk, DOCUMENTED_DOMAIN, DOCUMENTED_TYPES, endUser, mint, organization, servedNftKit, signedFacts, staticMetadata } from './support.js';

// The vector. The key is the first well-known Hardhat/Anvil test account (public, never funded).
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const MINTER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const HOLDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TOKEN_ID = `0x${'11'.repeat(32)}`;
const CREATED_AT = '2026-01-02T03:04:05.678Z';
/** Keys deliberately out of order at every level. */
const METADATA = {
  static: { name: 'BSc', issuer: 'Acme', expired_at: '9999-12-31T23:59:59.000Z', description: 'Ünïcode “quotes”' },
  dynamic: { valid_area: { lng: '10', lat: '60' }, points_earned: 12.5, category: 'diploma', attributes: [{ value: 'gold', trait_type: 'level' }] },
};
const CANONICAL =
  '{"dynamic":{"attributes":[{"trait_type":"level","value":"gold"}],"category":"diploma","points_earned":12.5,"valid_area":{"lat":"60","lng":"10"}},' +
  '"static":{"description":"Ünïcode “quotes”","expired_at":"9999-12-31T23:59:59.000Z","issuer":"Acme","name":"BSc"}}';
const METADATA_HASH = '0x4a741b261bb645ff2727742d89921410d143d4a9b91ee2f5dcac6c16b5e13b98';
const DIGEST = '0xc2777db0e4dc91a0b1e037347fa8e0393e44ef6128dc16ce21d4c50dbe797c5f';
const SIGNATURE = '0x26aa19099c94306ae811c55e4a7dc4d0453d65dffce0db7693ef394385b5fb314b795ec3d48825710a2afdb58c650fc1b826c8f7d9e202e1773cf332bbf952db1c';

const FACTS = { tokenId: TOKEN_ID, holder: HOLDER, minter: MINTER, metadataHash: METADATA_HASH, createdAt: CREATED_AT };

describe('nft minter signature: a pinned vector and the documented types', () => {
  it('canonicalJson sorts keys at every level (arrays keep their order), without whitespace', () => {
    assert.equal(canonicalJson(METADATA), CANONICAL);
    assert.equal(canonicalJson({ b: [3, 1, { d: 1, c: null }], a: 'x' }), '{"a":"x","b":[3,1,{"c":null,"d":1}]}');
  });

  it('metadataHash is keccak256 of the canonical JSON, whatever the key order', () => {
    assert.equal(keccak256(toUtf8Bytes(CANONICAL)), METADATA_HASH);
    assert.equal(metadataHash(METADATA), METADATA_HASH);
    const reordered = { dynamic: { ...METADATA.dynamic }, static: { description: METADATA.static.description, expired_at: METADATA.static.expired_at, issuer: 'Acme', name: 'BSc' } };
    assert.equal(metadataHash(reordered), METADATA_HASH);
  });

  it('the kit’s typed data is the documented one: same digest, and the fixed key’s signature is the pinned one', async () => {
    const typed = mintTypedData({ name: 'w3kit NFT', chainId: 1 }, FACTS);
    assert.deepEqual(typed.domain, DOCUMENTED_DOMAIN);
    assert.equal(TypedDataEncoder.hash(typed.domain, typed.types, typed.value), DIGEST);
    assert.equal(TypedDataEncoder.hash(DOCUMENTED_DOMAIN, DOCUMENTED_TYPES, FACTS), DIGEST);
    assert.equal(await new Wallet(KEY).signTypedData(typed.domain, typed.types, typed.value), SIGNATURE);
  });

  it('verifyTypedData with the documented types recovers the minter from the pinned signature; so does recoverMinter; any changed fact does not', () => {
    assert.equal(verifyTypedData(DOCUMENTED_DOMAIN, DOCUMENTED_TYPES, FACTS, SIGNATURE), MINTER);
    assert.equal(recoverMinter({ name: 'w3kit NFT', chainId: 1 }, FACTS, SIGNATURE), MINTER);
    for (const changed of [{ createdAt: '2026-01-02T03:04:05.679Z' }, { holder: MINTER }, { metadataHash: keccak256(toUtf8Bytes(JSON.stringify(METADATA))) }]) {
      assert.notEqual(verifyTypedData(DOCUMENTED_DOMAIN, DOCUMENTED_TYPES, { ...FACTS, ...changed }, SIGNATURE), MINTER, JSON.stringify(changed));
    }
    assert.notEqual(verifyTypedData({ ...DOCUMENTED_DOMAIN, chainId: 137 }, DOCUMENTED_TYPES, FACTS, SIGNATURE), MINTER);
  });
});

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft minter signature: a minted token checks out with the documented types alone', () => {
      const served = servedNftKit(kind);
      let minter: Actor;
      let holder: Actor;
      let reader: Actor;

      before(async () => {
        [minter, holder, reader] = await Promise.all([organization(served.kit), endUser(served.kit), endUser(served.kit)]);
      });

      it('the signer is the address of the organization’s public JWK, over the canonical JSON of the metadata as sent out of key order', async () => {
        const reversed = Object.fromEntries(Object.entries(staticMetadata()).reverse());
        const t = await mint(served.app, minter, holder, { metadata: { static: reversed, dynamic: METADATA.dynamic } });
        const info = (await request(served.app.callback()).get(`/rest/v1/account/id_wallet/${minter.address}/public_info`).set('authorization', reader.bearer)).body.result;
        const organizationAddress = addressOfJwk(info.id_wallet_public_key_jwk);
        const facts = signedFacts(t);
        const signature = String(t['minter_digital_signature']);
        assert.equal(verifyTypedData(DOCUMENTED_DOMAIN, DOCUMENTED_TYPES, facts, signature), organizationAddress);
        assert.equal(facts.minter, organizationAddress);
        assert.notEqual(verifyTypedData(DOCUMENTED_DOMAIN, DOCUMENTED_TYPES, { ...facts, holder: reader.address }, signature), organizationAddress);
      });
    });
  });
}
