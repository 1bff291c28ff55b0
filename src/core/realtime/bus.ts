/**
 * The Bus port: publish/subscribe of string messages between every node of a
 * deployment (docs/architecture.md §1). In-process for one node, Redis pub/sub for many; the
 * realtime hub and anything else that must reach all nodes talk through it.
 */

/** Receives each message published on a channel the handler subscribed to. */
export type BusHandler = (message: string) => void;

/**
 * A Bus delivers every message published on a channel to every subscriber of
 * that channel on every node, in publish order per publisher. Messages are
 * strings so no implementation can rely on shared memory.
 */
export interface Bus {
  /**
   * Publishes a message on a channel; resolves once the bus accepted it, to how many
   * nodes it reached: each node with a subscriber on the channel counts once.
   */
  publish(channel: string, message: string): Promise<number>;
  /** Subscribes a handler to a channel; resolves, once active, to a function that removes it. */
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  /** Stops delivery and releases connections; later publishes are dropped. */
  close(): Promise<void>;
}
