/**
 * viem, loaded on the first sign-in instead of at start: with its dependencies (ox, abitype, ws)
 * it is the largest library of the kit's start, and a deployment may never see a SIWE sign-in.
 * One import, shared; later calls cost an already resolved promise.
 *
 * noble's secp256k1 (the curve viem itself uses) is loaded with it: viem's `recoverPublicKey`
 * imports it dynamically on every call, a module resolution per sign-in (under a loader hook, as
 * in the benchmark, a round trip to the hook's thread) — about a tenth of a sign-in's CPU.
 */
export type Viem = typeof import('viem') & typeof import('viem/siwe') & { verifyHashAction: typeof import('viem/actions').verifyHash; secp256k1: typeof import('@noble/curves/secp256k1').secp256k1 };

let viem: Promise<Viem> | undefined;

export function loadViem(): Promise<Viem> {
  viem ??= Promise.all([import('viem'), import('viem/siwe'), import('viem/actions'), import('@noble/curves/secp256k1')]).then(([core, siwe, actions, noble]) => ({
    ...core,
    ...siwe,
    verifyHashAction: actions.verifyHash,
    secp256k1: noble.secp256k1,
  }));
  return viem;
}
