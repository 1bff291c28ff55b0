/**
 * A counting semaphore with a bounded queue: at most `max` holders at once, at most
 * `maxWaiting` callers waiting, each for at most `maxWaitMs`.
 */

/** Options of a Semaphore. */
export interface SemaphoreOptions {
  /** How many may hold it at once (at least 1). */
  max: number;
  /** How many may wait for it; one more is refused at once. */
  maxWaiting: number;
  /** How long one caller waits before it is refused. */
  maxWaitMs: number;
}

interface Waiter {
  grant: (release: (() => void) | null) => void;
  timer: NodeJS.Timeout;
}

/** A Semaphore bounds concurrent work and the queue in front of it. */
export class Semaphore {
  private holders = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly options: SemaphoreOptions) {}

  /** How many hold it now. */
  get active(): number {
    return this.holders;
  }

  /**
   * Resolves with a release function once the caller holds the semaphore, or with null
   * when the queue is full or the wait ran out. Call the release function exactly once.
   */
  acquire(): Promise<(() => void) | null> {
    if (this.holders < Math.max(1, this.options.max)) {
      this.holders++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.options.maxWaiting) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          resolve(null);
        }, this.options.maxWaitMs),
      };
      waiter.timer.unref();
      this.waiting.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (!next) {
        this.holders--;
        return;
      }
      // The slot passes straight to the next waiter.
      clearTimeout(next.timer);
      next.grant(this.releaser());
    };
  }
}
