import { ContractFactory, type Signer } from 'ethers';
import { CREDENTIAL_NFT_ABI, CREDENTIAL_NFT_BYTECODE } from './credential-nft-artifact.js';

/**
 * Deploys W3kitCredentialNft from `signer`, which becomes its only minter: deploy with the kit's
 * sender key. Answers the contract address once the deployment is mined.
 */
export async function deployCredentialNft(signer: Signer, { name = 'w3kit credentials', symbol = 'W3KC' } = {}): Promise<{ address: string; txHash: string }> {
  const contract = await new ContractFactory(CREDENTIAL_NFT_ABI, CREDENTIAL_NFT_BYTECODE, signer).deploy(name, symbol);
  await contract.waitForDeployment();
  return { address: await contract.getAddress(), txHash: contract.deploymentTransaction()!.hash };
}
