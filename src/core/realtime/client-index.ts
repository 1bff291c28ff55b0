/**
 * A ClientIndex finds the realtime clients filed under a key (a topic, a bound
 * auth record). Most keys hold a single client — one record watched by one
 * browser, one signed-in user's stream — so a lone client is stored as itself
 * and a Set is made only for the second one: at 10,000 idle streams that is
 * 10,000 Sets (~100 bytes each) fewer.
 */

const NONE: readonly never[] = Object.freeze([]);

/** ClientIndex maps keys to the clients filed under them. */
export class ClientIndex<C extends object> {
  private readonly map = new Map<string, C | Set<C>>();

  /** Files a client under a key (once, however often it is added). */
  add(key: string, client: C): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(key, client);
    else if (held instanceof Set) held.add(client);
    else if (held !== client) this.map.set(key, new Set([held, client]));
  }

  /** Removes a client from a key; the key goes when its last client does. */
  delete(key: string, client: C): void {
    const held = this.map.get(key);
    if (held === client) {
      this.map.delete(key);
    } else if (held instanceof Set) {
      held.delete(client);
      if (held.size === 1) this.map.set(key, held.values().next().value as C);
    }
  }

  /**
   * The clients under a key, not copied (an event for a topic with 10,000 subscribers
   * must not copy 10,000 references). Removing clients while iterating is safe: a Set
   * skips removed entries it has not reached, and a lone client is a one-element list.
   */
  get(key: string): Iterable<C> {
    const held = this.map.get(key);
    if (held === undefined) return NONE;
    return held instanceof Set ? held : [held];
  }
}
