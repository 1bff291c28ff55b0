/**
 * The budgets of one node's realtime API: how many streams it holds, per client IP
 * and in all; what one client's subscriptions may cost per record event; and how
 * much fan-out work may wait or run without a break.
 *
 * SECURITY: every record event costs, per subscriber, one rule query and one expand
 * for each distinct set of subscription options (docs/api.md §6.3). Without these budgets
 * one client could hold thousands of streams of 1000 option sets each and make every
 * write cost millions of queries.
 */
import { ipCounterKey } from '../../tools/ip-list.js';

/** PocketBase's limit on the subscriptions of one `POST /api/realtime` (apis/realtime.go). */
export const MAX_SUBSCRIPTIONS = 1000;

/** PocketBase's limit on the length of one subscription string (apis/realtime.go). */
export const MAX_SUBSCRIPTION_LENGTH = 2500;

/** The budgets a RealtimeHub enforces. */
export interface RealtimeLimits {
  /** Streams this node holds at once; a new one beyond it is refused (503). */
  maxStreams: number;
  /** Streams one client IP (an IPv6 /64) holds on this node; a new one beyond it is refused (429). */
  maxStreamsPerIp: number;
  /**
   * Distinct option sets (`?options=` query and headers, "no options" counting as one)
   * among one client's subscriptions; a subscribe call beyond it is refused (400).
   */
  maxOptionSets: number;
  /** Record events waiting for fan-out; past it the backlog is dropped and its subscribers cut. */
  maxQueuedEvents: number;
  /** Subscriber evaluations (a rule query and an expand each) run together before the loop gets a turn. */
  batchSize: number;
}

/**
 * The defaults. maxOptionSets: the pocketbase SDK submits one option set per
 * `subscribe()` call that passes options (filter, expand, fields, headers), and
 * a screen subscribes to a handful of collections; 32 leaves room for a dashboard of
 * live widgets each with its own filter while one event costs a client at most 32
 * evaluations per topic kind, not PocketBase's 1000.
 */
export const DEFAULT_REALTIME_LIMITS: RealtimeLimits = {
  maxStreams: 20_000,
  maxStreamsPerIp: 500,
  maxOptionSets: 32,
  maxQueuedEvents: 10_000,
  batchSize: 16,
};

/** StreamCounts counts open streams per client IP key (IPv4 address or IPv6 /64). */
export class StreamCounts {
  private readonly byIp = new Map<string, number>();

  /** Streams open from this IP's key. */
  of(ip: string): number {
    return this.byIp.get(ipCounterKey(ip)) ?? 0;
  }

  /** Counts one more stream from an IP. */
  add(ip: string): void {
    const key = ipCounterKey(ip);
    this.byIp.set(key, (this.byIp.get(key) ?? 0) + 1);
  }

  /** Counts one stream from an IP less; the key goes with its last stream. */
  remove(ip: string): void {
    const key = ipCounterKey(ip);
    const n = (this.byIp.get(key) ?? 0) - 1;
    if (n > 0) this.byIp.set(key, n);
    else this.byIp.delete(key);
  }
}
