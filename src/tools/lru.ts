/**
 * An Lru is a bounded map that forgets its least recently used entry when full.
 * It relies on Map keeping insertion order: a hit is re-inserted to become newest.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  /** The most entries kept. */
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('Lru maxEntries must be a positive integer');
    this.maxEntries = maxEntries;
  }

  /** The number of entries held. */
  get size(): number {
    return this.map.size;
  }

  /** Returns the value for a key and marks it most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    // One lookup on the common paths (a hit of a defined value, a miss); `has` only for undefined.
    if (value === undefined && !this.map.has(key)) return undefined;
    this.map.delete(key);
    this.map.set(key, value as V);
    return value;
  }

  /** Tests for a key without changing its recency. */
  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores a value as most recently used, evicting the oldest entry if over capacity. */
  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    return this;
  }

  /** Removes a key; returns whether it was present. */
  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.map.clear();
  }
}
