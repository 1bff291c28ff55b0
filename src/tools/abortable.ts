/**
 * Racing a promise against an AbortSignal, for clients (amqplib, nats) that take no
 * signal of their own.
 */

/**
 * Resolves or rejects as `work` does, unless `signal` aborts first: then rejects with an
 * Error saying `what` was cut off. `work` itself goes on; its late failure is swallowed.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function abortError(signal: AbortSignal, what: string): Error {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  if (reason?.name === 'TimeoutError') return new Error(`${what} timed out`);
  return new Error(`${what} was aborted${reason?.message ? `: ${reason.message}` : ''}`);
}
