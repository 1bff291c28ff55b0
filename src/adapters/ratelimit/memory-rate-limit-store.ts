/**
 * The in-process RateLimitStore of an embedded node: counters in a bounded LRU map.
 */
import { Lru } from '../../tools/lru.js';
import type { RateLimitStore, RateLimitWindow } from '../../core/ratelimit/rate-limit-store.js';

/** Options of MemoryRateLimitStore. */
export interface MemoryRateLimitStoreOptions {
  /** The most keys kept; the least recently hit is forgotten first (default 100 000). */
  maxKeys?: number;
  /** The clock, in milliseconds; tests pass a fake one. */
  now?: () => number;
}

interface Entry {
  count: number;
  expiresAt: number;
}

/**
 * A MemoryRateLimitStore keeps each key's window in memory.
 *
 * SECURITY: the map is bounded so that rotating keys (spoofed identities, many IPs) cannot
 * exhaust memory. An attacker who fills it only evicts the least recently hit keys, and a
 * key under attack is hit all the time, so its own counter stays.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly entries: Lru<string, Entry>;
  private readonly now: () => number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.entries = new Lru(options.maxKeys ?? 100_000);
    this.now = options.now ?? Date.now;
  }

  /** {@inheritDoc RateLimitStore.hit} */
  async hit(key: string, windowMs: number): Promise<RateLimitWindow> {
    const now = this.now();
    let entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now) {
      entry = { count: 0, expiresAt: now + windowMs };
      this.entries.set(key, entry);
    }
    entry.count++;
    return { count: entry.count, resetMs: entry.expiresAt - now };
  }

  /** {@inheritDoc RateLimitStore.peek} */
  async peek(key: string): Promise<RateLimitWindow> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now) return { count: 0, resetMs: 0 };
    return { count: entry.count, resetMs: entry.expiresAt - now };
  }

  /** {@inheritDoc RateLimitStore.reset} */
  async reset(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** {@inheritDoc RateLimitStore.close} */
  async close(): Promise<void> {
    this.entries.clear();
  }

  /** The number of keys held (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }
}
