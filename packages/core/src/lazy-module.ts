/**
 * A module loaded on first use: rarely used heavy libraries (ethers, ethr-did-resolver, qrcode)
 * stay out of memory until a request needs them (issue 17, idle RSS). Concurrent first calls
 * share one import; a failed import is not remembered, so the next call tries again, and the
 * rejection reaches the caller (a route answers its 5xx envelope, the process does not crash).
 */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
