import { createSiweMessage } from 'viem/siwe';

/** What the siwe benchmark's kit, baseline and load generator agree on. */
export const SIWE_BENCH = {
  /** An EOA: both sides verify it by ecrecover, no chain involved. */
  privateKey: '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
  chainId: 1,
  domain: 'dapp.example',
  origin: 'https://dapp.example',
  options: { allowedOrigins: ['https://dapp.example'], chains: [{ chainId: 1 }], signUp: true },
};

/** The EIP-4361 message with `nonce`, for the benchmark's address. */
export function benchMessage(address: `0x${string}`, nonce: string): string {
  return createSiweMessage({
    domain: SIWE_BENCH.domain,
    address,
    uri: `${SIWE_BENCH.origin}/login`,
    version: '1',
    chainId: SIWE_BENCH.chainId,
    nonce,
    statement: 'Sign in to the dapp.',
    issuedAt: new Date(),
  });
}
