/**
 * viem, loaded on the first sign-in instead of at start: with its dependencies (ox, abitype, ws)
 * it is the largest library of the kit's start, and a deployment may never see a SIWE sign-in.
 * One import, shared; later calls cost an already resolved promise. (ecrecover itself runs on
 * noble in core's secp256k1 worker threads: viem's `recoverPublicKey` imports noble again on
 * every call, a module resolution per sign-in.)
 */
export type Viem = typeof import('viem') & typeof import('viem/siwe') & { verifyHashAction: typeof import('viem/actions').verifyHash };

let viem: Promise<Viem> | undefined;

export function loadViem(): Promise<Viem> {
  viem ??= Promise.all([import('viem'), import('viem/siwe'), import('viem/actions')]).then(([core, siwe, actions]) => ({ ...core, ...siwe, verifyHashAction: actions.verifyHash }));
  return viem;
}
