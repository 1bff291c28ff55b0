/**
 * SearchBackfill fills full-text indexes created over existing rows (docs/search.md §4.1):
 * batch after batch, each its own short transaction, yielding to other work between them,
 * so a rebuild over a million rows never holds the database for long. It starts when a
 * schema change commits and when the node starts (an interrupted fill resumes).
 */
import type { Executor } from '../../db/database.js';
import type { FullText } from '../../db/dialect/full-text.js';

/** Rows indexed per transaction: about 10 ms of work on SQLite for short texts. */
export const SEARCH_BACKFILL_BATCH = 2000;

/** What a SearchBackfill needs. */
export interface SearchBackfillDeps {
  db: Executor;
  fullText: FullText;
  onError(err: unknown): void;
  batch?: number;
}

/** SearchBackfill runs one fill loop at a time. */
export class SearchBackfill {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(private readonly deps: SearchBackfillDeps) {}

  /** Starts filling, or asks the running loop to look again once it is done. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      // A step cancelled by stop() is not a failure: the fill resumes when a node next starts.
      .catch((err: unknown) => {
        if (!this.stopped) this.deps.onError(err);
      })
      .finally(() => {
        this.running = null;
        // A kick that came while a step failed (a schema change renamed the table under it):
        // the loop looks again, once, rather than wait for the next start.
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once no fill is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after the current batch, cancelling a long step (at shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.idle();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      while (!this.stopped) {
        const n = await this.deps.fullText.backfill(this.deps.db, this.deps.batch ?? SEARCH_BACKFILL_BATCH, this.abort.signal);
        if (n === 0) break;
        // Lets requests waiting for the database run between two batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } while (this.again && !this.stopped);
  }
}
