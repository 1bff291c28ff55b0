/**
 * One query time budget per request operation (docs/security.md "Queries"): a list runs its
 * page, its total, a ranked list its probe and tiers, and all of them together get
 * `--queryTimeout`, not each of them. The database layer implements this port.
 */
import type { Executor } from '../../db/database.js';

/**
 * QueryDeadlines opens, for one operation, an executor whose statements share one deadline:
 * each starts only while time is left, and runs at most until the deadline (the remaining
 * time, not a fresh budget); past it the operation answers the 400 of a query timeout.
 */
export interface QueryDeadlines {
  /**
   * An executor over the database whose statements together may run `--queryTimeout` from
   * now, or `seconds` when given (a batch's own timeout); each statement stays within
   * `--queryTimeout` too.
   */
  start(seconds?: number): Executor;
}
