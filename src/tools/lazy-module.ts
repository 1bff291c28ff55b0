/**
 * Loading a heavy module on first use instead of at start-up.
 */

/**
 * A loader that imports a module the first time it is called and hands every
 * later caller the same promise, so a hot path pays for `import()` only once.
 * Use it for a dependency that a server may never need (native addons, OAuth2,
 * WebCrypto), keeping start-up time and idle memory low.
 */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
