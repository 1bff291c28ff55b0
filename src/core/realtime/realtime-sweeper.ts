/**
 * The RealtimeSweeper ends streams past their lifetimes (docs/api.md §6.1): idle too
 * long, or open too long. One timer sweeps every client, rather than a timer each.
 */
import type { RealtimeClients } from './realtime-clients.js';

/** Stream lifetimes of docs/api.md §6.1, injectable so tests can use short ones. */
export interface RealtimeTimeouts {
  /** Close a stream after this long without a sent frame (spec: 5 min). */
  idleMs: number;
  /** Close a stream this long after it opened (spec: 30 min). */
  maxLifetimeMs: number;
  /** How often one timer sweeps every client for the two limits above. */
  sweepMs: number;
}

/** The spec's lifetimes (docs/api.md §6.1). */
export const DEFAULT_REALTIME_TIMEOUTS: RealtimeTimeouts = { idleMs: 5 * 60_000, maxLifetimeMs: 30 * 60_000, sweepMs: 5_000 };

/** RealtimeSweeper closes the clients that outlived their timeouts. */
export class RealtimeSweeper {
  private timeouts: RealtimeTimeouts;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly clients: RealtimeClients, timeouts: Partial<RealtimeTimeouts> = {}) {
    this.timeouts = { ...DEFAULT_REALTIME_TIMEOUTS, ...timeouts };
  }

  /** Changes the lifetimes and (re)starts the timer. */
  start(timeouts: Partial<RealtimeTimeouts>): void {
    this.timeouts = { ...this.timeouts, ...timeouts };
    clearInterval(this.timer);
    this.timer = setInterval(() => this.sweep(), this.timeouts.sweepMs);
    this.timer.unref();
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.timer);
  }

  private sweep(): void {
    const now = Date.now();
    const { idleMs, maxLifetimeMs } = this.timeouts;
    for (const client of this.clients.values()) {
      if (now - client.lastSentAt >= idleMs || now - client.createdAt >= maxLifetimeMs) client.end();
    }
  }
}
