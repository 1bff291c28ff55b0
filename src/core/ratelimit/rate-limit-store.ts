/**
 * The RateLimitStore port: fixed-window hit counters shared by every node (docs/architecture.md §1:
 * in-process now, Redis when scaled out). Rate limits, sign-in back-off and attempt caps
 * all count through it, so a limit holds across nodes once the store is shared.
 */

/** The state of one key's current window. */
export interface RateLimitWindow {
  /** Hits counted in the window (0 when no window is open). */
  count: number;
  /** Milliseconds until the window closes (0 when no window is open). */
  resetMs: number;
}

/** A RateLimitStore counts hits per key in fixed windows that open on the first hit. */
export interface RateLimitStore {
  /**
   * Counts one hit for `key` and returns its window. The first hit opens a window of
   * `windowMs`; later hits inside it never extend it.
   */
  hit(key: string, windowMs: number): Promise<RateLimitWindow>;
  /** Returns `key`'s open window without counting (count 0 when none is open). */
  peek(key: string): Promise<RateLimitWindow>;
  /** Closes `key`'s window, so the next hit starts from zero. */
  reset(key: string): Promise<void>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}
