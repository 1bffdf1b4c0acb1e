import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CREDENTIAL_NFT_ABI, CREDENTIAL_NFT_BYTECODE } from '@w3kit/chain';
import { compileSolidity } from '@w3kit/core/testing';

describe('chain contract: the shipped artifact is the compiled source', () => {
  it('chain contract: compiling contracts/W3kitCredentialNft.sol again gives the ABI and bytecode in src/credential-nft-artifact.ts (run scripts/compile-contract.mjs after a change)', function () {
    this.timeout(60_000);
    const source = readFileSync(new URL('../contracts/W3kitCredentialNft.sol', import.meta.url), 'utf8');
    const { W3kitCredentialNft: compiled } = compileSolidity({ 'W3kitCredentialNft.sol': source });
    assert.deepEqual(compiled!.abi, CREDENTIAL_NFT_ABI);
    assert.equal(compiled!.bytecode, CREDENTIAL_NFT_BYTECODE);
  });
});
