/**
 * The queue of record events waiting for this node's realtime fan-out: one at a
 * time, in commit order, and never longer than its bound.
 */

/**
 * FanOutQueue runs each pushed item through `run`, one after another. When a push
 * would take it past `max` waiting items, it drops everything that waits (the item
 * being run finishes) and hands the dropped items, the new ones included, to
 * `overflow`: the caller decides who must learn that they missed them.
 *
 * NOTE: dropping the backlog rather than the new items keeps what is sent fresh; a
 * node that fell this far behind has already failed "realtime" for those events.
 */
export class FanOutQueue<T> {
  private items: T[] = [];
  private head = 0;
  private draining: Promise<void> | null = null;

  constructor(
    private readonly max: number,
    private readonly run: (item: T) => Promise<void>,
    private readonly overflow: (dropped: T[]) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Items waiting (not counting the one being run). */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Queues items in order, or drops the backlog with them when they do not fit. */
  push(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.size + items.length > this.max) {
      const dropped = [...this.items.slice(this.head), ...items];
      this.items = [];
      this.head = 0;
      this.overflow(dropped);
      return;
    }
    for (const item of items) this.items.push(item);
    this.draining ??= this.drain();
  }

  /** Resolves once nothing waits or runs. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.head < this.items.length) {
        const item = this.items[this.head++];
        // Compact now and then, so a long busy spell does not keep every run item.
        if (this.head >= 1024 && this.head * 2 >= this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        try {
          await this.run(item);
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.items = [];
      this.head = 0;
      this.draining = null;
    }
  }
}
