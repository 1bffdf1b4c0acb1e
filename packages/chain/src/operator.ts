import type { EnvelopeEncryption } from '@w3kit/core';
import { JsonRpcProvider, Wallet } from 'ethers';
import { SENDER_KEY_CONTEXT } from './chain-config.js';
import { deployCredentialNft } from './deploy.js';

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/** Seals a sender private key under the master key (what `W3KIT_CHAIN_SENDER_KEY_SEALED` holds), and names its address. */
export function sealSenderKey(encryption: EnvelopeEncryption, privateKey: string): { sealed: string; address: string } {
  if (!PRIVATE_KEY.test(privateKey)) throw new TypeError('the sender key must be 0x + 64 hex characters');
  return { sealed: encryption.encrypt(privateKey, SENDER_KEY_CONTEXT), address: new Wallet(privateKey).address };
}

/**
 * Deploys the credential NFT contract from the sealed sender key (its only minter), after checking
 * that the node is on `chainId`. What `w3kit chain deploy` runs.
 */
export async function deployWithSealedKey(input: {
  rpcUrl: string;
  chainId: number;
  senderKeySealed: string;
  encryption: EnvelopeEncryption;
}): Promise<{ contractAddress: string; txHash: string; minter: string }> {
  const provider = new JsonRpcProvider(input.rpcUrl, undefined, { staticNetwork: false });
  try {
    const { chainId } = await provider.getNetwork();
    if (chainId !== BigInt(input.chainId)) throw new TypeError(`the node at the RPC URL is on chain ${chainId}, not ${input.chainId}`);
    const sender = new Wallet(input.encryption.decrypt(input.senderKeySealed, SENDER_KEY_CONTEXT).toString('utf8'), provider);
    const { address, txHash } = await deployCredentialNft(sender);
    return { contractAddress: address, txHash, minter: sender.address };
  } finally {
    provider.destroy();
  }
}
