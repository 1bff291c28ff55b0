/**
 * The per-request budget of `expand` (docs/api.md §3.8): how many expanded records one
 * response may hold and how many related records may be read to build it. Past
 * either, the request answers 400 before the response is built.
 */
import { AppError } from '../../errors/app-error.js';

/**
 * The most expanded record objects one response may hold, counting a record once per
 * place it appears (a record shared by many parents is written out under each).
 */
export const MAX_EXPANDED_RECORDS = 10_000;

/**
 * The most JSON one response's expanded records may add, counted like MAX_EXPANDED_RECORDS
 * (a record shared by many parents counts under each); see estimateJsonSize.
 */
export const MAX_EXPAND_BYTES = 16 * 1024 * 1024;

/** The most related records (ids looked up plus back-relation rows read) one expand may read. */
export const MAX_EXPAND_READS = 10_000;

/** What writing out an expanded record costs: itself and everything nested under it. */
export interface ExpandWeight {
  records: number;
  bytes: number;
}

/** The 400 of an expand over its budget; changes nothing (writes roll back). */
export class ExpandTooLargeError extends AppError {
  constructor() {
    super(400, `The requested expand is too large: it would expand more than ${MAX_EXPANDED_RECORDS} records (or ${MAX_EXPAND_BYTES / 1024 / 1024} MiB of them). Narrow it: fewer or shorter expand paths, a smaller perPage or a filter.`);
  }
}

/** Tests whether an error is an expand over its budget. */
export function isExpandTooLarge(err: unknown): err is ExpandTooLargeError {
  return err instanceof ExpandTooLargeError;
}

/**
 * ExpandBudget counts one expand's reads and, per level, the records it places; it
 * throws ExpandTooLargeError as soon as a count passes its limit.
 *
 * SECURITY: the placed count is exact at the top level and a lower bound below (every
 * record of a level is placed at least once above it), so a path that multiplies
 * (`comments_via_post.post.comments_via_post…`) is refused while its counts are still
 * small: nothing is ever written out per path before the check.
 */
export class ExpandBudget {
  private reads = 0;

  constructor(
    private readonly maxRecords = MAX_EXPANDED_RECORDS,
    private readonly maxBytes = MAX_EXPAND_BYTES,
    private readonly maxReads = MAX_EXPAND_READS,
  ) {}

  /** Reads left before the read limit (a query may ask for one more to see it passed). */
  readsLeft(): number {
    return this.maxReads - this.reads;
  }

  /** Counts `n` related records read; throws past the limit. */
  read(n: number): void {
    this.reads += n;
    if (this.reads > this.maxReads) throw new ExpandTooLargeError();
  }

  /** Checks what is placed under one level's parents (each record counted with its own nested records). */
  placed(w: ExpandWeight): void {
    if (w.records > this.maxRecords || w.bytes > this.maxBytes) throw new ExpandTooLargeError();
  }
}

/**
 * About how many characters JSON.stringify writes for a record's JSON (without `expand`):
 * strings by their length, other scalars by a small constant, arrays and objects written
 * out. NOTE: escapes are not counted, so a string of control characters may write up to
 * six times its estimate; the budget stays a bound, only that much looser.
 */
export function estimateJsonSize(json: Record<string, unknown>): number {
  let size = 2;
  for (const key in json) {
    const value = json[key];
    size += key.length + 4;
    if (typeof value === 'string') size += value.length + 2;
    else if (value === null || typeof value !== 'object') size += 8;
    else size += JSON.stringify(value).length;
  }
  return size;
}
