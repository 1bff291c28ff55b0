/**
 * The connection of a broker publisher (docs/outbound.md §2): opened on first use,
 * forgotten when opening fails or when it drops, so the next publish opens a new one,
 * and closed once for good.
 */
export class ReopeningLink<T> {
  private current: Promise<T> | undefined;
  private ended = false;

  /**
   * `open` opens a link and calls `dropped` when it later dies; `end` closes an open link.
   */
  constructor(private readonly open: (dropped: () => void) => Promise<T>, private readonly end: (link: T) => Promise<void>) {}

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.ended;
  }

  /** The open link, opening it when there is none. */
  get(): Promise<T> {
    if (this.ended) return Promise.reject(new Error('the publisher is closed'));
    if (!this.current) {
      const opening: Promise<T> = this.open(() => {
        if (this.current === opening) this.current = undefined;
      });
      this.current = opening;
      opening.catch(() => {
        if (this.current === opening) this.current = undefined;
      });
    }
    return this.current;
  }

  /** Closes the link, if one is open, and refuses every later `get()`. */
  async close(): Promise<void> {
    this.ended = true;
    const link = this.current;
    this.current = undefined;
    const open = await link?.catch(() => undefined);
    if (open !== undefined) await this.end(open);
  }
}
