/**
 * A library that could not be imported on first use (not installed, or broken): the server's
 * fault, never the client's. Code that turns library errors into client answers (the did
 * plugin's verification problems) lets it through, so the route answers its 500 envelope; the
 * import's own error (paths, package names) is only its `cause`, for the log.
 */
export class ModuleLoadError extends Error {
  override readonly name = 'ModuleLoadError';
  constructor(cause: unknown) {
    super('a library could not be loaded', { cause });
  }
}

/**
 * A module loaded on first use: rarely used heavy libraries (ethers, ethr-did-resolver, qrcode)
 * stay out of memory until a request needs them (issue 17, idle RSS). Concurrent first calls
 * share one import; a failed import is not remembered, so the next call tries again, and the
 * caller gets a ModuleLoadError (a route answers its 5xx envelope, the process does not crash).
 */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw new ModuleLoadError(error);
    }));
}
