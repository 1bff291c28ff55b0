/**
 * The in-process Bus for a single node (docs/architecture.md §1). Delivery is asynchronous,
 * as with Redis, so callers cannot come to depend on a publish running its
 * handlers before it returns.
 */
import type { Bus, BusHandler } from '../../core/realtime/bus.js';

/** MemoryBus is a Bus inside one process. */
export class MemoryBus implements Bus {
  private readonly channels = new Map<string, Set<BusHandler>>();
  private closed = false;

  /** Creates a MemoryBus; `onHandlerError` hears about handlers that throw (they never stop delivery). */
  constructor(private readonly onHandlerError: (err: unknown) => void = () => undefined) {}

  async publish(channel: string, message: string): Promise<number> {
    if (this.closed) return 0;
    const handlers = this.channels.get(channel);
    if (!handlers || handlers.size === 0) return 0;
    // A snapshot: a handler added after the publish does not receive this message.
    const targets = [...handlers];
    queueMicrotask(() => {
      for (const handler of targets) {
        if (this.closed || !handlers.has(handler)) continue;
        try {
          handler(message);
        } catch (err) {
          this.onHandlerError(err);
        }
      }
    });
    // One process is one node: it counts once, however many handlers it has.
    return 1;
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
    }
    // Each subscription is its own entry, so the same function may subscribe twice.
    const entry: BusHandler = (message) => handler(message);
    handlers.add(entry);
    return async () => {
      handlers.delete(entry);
      if (handlers.size === 0 && this.channels.get(channel) === handlers) this.channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
  }
}
