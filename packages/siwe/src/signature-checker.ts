import { secp256k1Workers } from '@w3kit/core';
import type { Hex, Transport } from 'viem';
import type { SiweChain } from './siwe-config.js';
import { loadViem, type Viem } from './viem-library.js';

/** Why a signature could not be checked (not: that it is wrong). */
export class ChainUnavailableError extends Error {
  override readonly name = 'ChainUnavailableError';
}

/**
 * Checks that `address` signed `message` (an EIP-191 personal message) on a chain: ecrecover for
 * externally owned accounts, EIP-1271 `isValidSignature` for deployed smart-contract wallets and
 * EIP-6492 for counterfactual ones, through the chain's JSON-RPC endpoint. In the container
 * (`siweSignatureChecker`) because it does outbound I/O.
 */
export interface SignatureChecker {
  /** True when the signature is the address's; false when it is not; ChainUnavailableError when the chain could not be asked. */
  isValid(input: { chainId: number; address: string; message: string; signature: Hex }): Promise<boolean>;
}

export function createSignatureChecker({ chains, rpcTimeoutMs }: { chains: Map<number, SiweChain>; rpcTimeoutMs: number }): SignatureChecker {
  // one try per call: a sign-in waits for the answer, and a chain down is answered with 503 at once
  // made with viem on the first check (viem-library.ts)
  let transports: Map<number, Transport> | undefined;
  function transportsOf({ http }: Viem): Map<number, Transport> {
    if (transports) return transports;
    transports = new Map();
    for (const chain of chains.values()) if (chain.rpcUrl) transports.set(chain.chainId, http(chain.rpcUrl, { timeout: rpcTimeoutMs, retryCount: 0 }));
    return transports;
  }

  /**
   * A client for one check that remembers whether the endpoint failed: viem answers "not valid"
   * for every failed eth_call, a network error included, and a wallet must not be told its
   * signature is wrong because the chain did not answer.
   */
  function checkingClient({ createPublicClient, HttpRequestError, TimeoutError }: Viem, transport: Transport) {
    const state = { unavailable: false };
    const watched: Transport = (config) => {
      const inner = transport(config);
      return {
        ...inner,
        async request(args) {
          try {
            return await inner.request(args);
          } catch (error) {
            if (error instanceof HttpRequestError || error instanceof TimeoutError) state.unavailable = true;
            throw error;
          }
        },
      };
    };
    return { client: createPublicClient({ transport: watched }), state };
  }

  /**
   * ecrecover of an EIP-191 digest, as viem's `recoverMessageAddress` does it (65 bytes r ‖ s ‖ v,
   * v one of 0, 1, 27, 28), on core's secp256k1 worker threads, and compared without
   * checksumming the recovered address (equality of the lower-case hex is what isAddressEqual checks).
   */
  async function recovers(address: string, digest: Hex, signature: Hex): Promise<boolean> {
    if (signature.length !== 132 || !/^0x[0-9a-fA-F]{130}$/.test(signature)) return false;
    const v = Number.parseInt(signature.slice(130), 16);
    const bit = v === 0 || v === 27 ? 0 : v === 1 || v === 28 ? 1 : -1;
    if (bit === -1) return false;
    const signer = await secp256k1Workers().recoverAddress(digest.slice(2), signature.slice(2, 130), bit);
    return signer !== null && signer === address.slice(2).toLowerCase();
  }

  return {
    async isValid({ chainId, address, message, signature }) {
      // ecrecover first: an externally owned account costs no RPC call
      const viem = await loadViem();
      const digest = viem.hashMessage(message);
      if (await recovers(address, digest, signature)) return true;
      const transport = transportsOf(viem).get(chainId);
      if (!transport) return false;
      const { client, state } = checkingClient(viem, transport);
      let valid: boolean;
      try {
        // the EIP-6492 validator, run in an eth_call: unwraps a 6492 signature (deploying the wallet
        // in the call only), then asks the wallet's EIP-1271 isValidSignature
        valid = await viem.verifyHashAction(client, { address: address as Hex, hash: digest, signature });
      } catch (error) {
        throw new ChainUnavailableError(`chain ${chainId} did not answer`, { cause: error });
      }
      if (state.unavailable) throw new ChainUnavailableError(`chain ${chainId} did not answer`);
      return valid;
    },
  };
}
