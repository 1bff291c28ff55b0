/**
 * The LogWriter takes log entries on the request path and stores them in batches
 * off it (docs/operations.md §Logs): every 200 ms, or at once when 500 wait. It
 * never blocks and never grows without bound: when the store cannot keep up, the
 * oldest waiting entries are dropped and counted. `settings.logs` is read per entry:
 * `maxDays: 0` stores nothing, below `minLevel` is skipped, `maxDataSize` cuts `data`.
 */
import { formatDateTime } from '../../tools/datetime.js';
import type { LogStore, NewLogEntry } from './log-store.js';
import { limitDataJson, limitMessage } from './log-data-limit.js';
import { newLogId } from './log-id.js';

/** The part of the settings the writer reads. */
export interface LogsSettings {
  maxDays: number;
  minLevel: number;
  maxDataSize?: number;
}

/** What a LogWriter needs. */
export interface LogWriterDeps {
  store: LogStore;
  settings: () => LogsSettings;
  /** Told of a failed batch (its entries are lost). */
  onError: (err: unknown) => void;
  /** Milliseconds between flushes (default 200). */
  flushMs?: number;
  /** Entries that trigger a flush at once (default 500). */
  batchSize?: number;
  /** The most entries waiting; older ones are dropped past it (default 10 000). */
  maxPending?: number;
}

/** Buffers log entries and writes them to a LogStore in batches. */
export class LogWriter {
  private pending: NewLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  /** Entries dropped because the buffer was full or their batch failed. */
  dropped = 0;
  // The datetime text of the last entry's second up to its milliseconds (`2026-12-07 02:15:00.`):
  // a busy node answers a request or more per millisecond, and a Date's ISO text costs more
  // than the rest of an entry's bookkeeping.
  private createdSecond = NaN;
  private createdPrefix = '';

  constructor(private readonly deps: LogWriterDeps) {}

  /** Whether an entry of `level` would be stored now. */
  accepts(level: number): boolean {
    const s = this.deps.settings();
    return !this.stopped && s.maxDays > 0 && level >= s.minLevel;
  }

  /** Queues one entry (if the settings keep it); returns at once. */
  write(level: number, message: string, data: Record<string, unknown>): void {
    if (!this.accepts(level)) return;
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.createdSecond) {
      this.createdSecond = second;
      this.createdPrefix = formatDateTime(new Date(second * 1000)).slice(0, 20);
    }
    const ms = now - second * 1000;
    const created = `${this.createdPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
    const entry: NewLogEntry = {
      id: newLogId(now), created, level,
      message: limitMessage(message), dataJson: limitDataJson(data, this.deps.settings().maxDataSize ?? 0),
    };
    this.pending.push(entry);
    const max = this.deps.maxPending ?? 10_000;
    if (this.pending.length > max) {
      // NOTE: a quarter of the bound at once: dropping one entry per write would shift the
      // whole array on every request while the store lags (about 40 µs each at 10,000).
      const drop = Math.min(this.pending.length, Math.max(this.pending.length - max, Math.ceil(max / 4)));
      this.dropped += drop;
      this.pending.splice(0, drop);
    }
    if (this.pending.length >= (this.deps.batchSize ?? 500)) this.flushSoon(0);
    else this.flushSoon(this.deps.flushMs ?? 200);
  }

  /** Writes everything waiting; resolves once it is stored (or failed). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.clearTimer();
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.deps.store.insert(batch).catch((err: unknown) => {
      this.dropped += batch.length;
      this.deps.onError(err);
    }).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Stops taking entries and writes what waits. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    // A pending flush does not keep the process alive; stop() writes what is left.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
