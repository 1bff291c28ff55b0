/**
 * The query time budget on SQLite (`--queryTimeout`). better-sqlite3 runs a statement
 * synchronously on the event loop and exposes neither sqlite3_interrupt nor a progress
 * handler, so a runaway statement is stopped from inside: the SQL the rule compiler
 * writes calls `plinth_budget(<column>)` on the rows it enumerates (see
 * SqliteDialect.rowBudget/scanBudget), and that function throws once the statement has
 * run past its budget. SQLite then abandons the statement (a statement inside a
 * transaction is rolled back alone) and the error reaches the caller as a 400.
 */
import type Database from 'better-sqlite3';
import { queryTimeout } from '../errors/query-timeout.js';

/** The name of the SQL function that checks the budget; it always returns 1 (true). */
export const BUDGET_FUNCTION = 'plinth_budget';

/**
 * A SqliteQueryBudget times the statements of one connection. Execution is synchronous,
 * so one deadline serves the whole connection: set when a statement starts, cleared when
 * it returns, never shared by two statements. A statement of an operation (a list, an
 * aggregate) stops at the operation's deadline when that comes first (`within`).
 */
export class SqliteQueryBudget {
  private deadline = Infinity;
  /** The deadline of the operation whose statement runs now (Infinity: none). */
  private cap = Infinity;

  /** `seconds` is the budget of one statement. */
  constructor(private readonly seconds: number) {}

  /**
   * Registers `plinth_budget` on a connection. Non-deterministic, so SQLite never folds
   * it into a constant or evaluates it once for many rows; direct-only, so no view or
   * trigger a superuser writes can call it.
   */
  install(raw: Database.Database): void {
    // NOTE: the argument is ignored: it is a column of the row being read, which is what
    // ties the call to that row's loop level in SQLite's nested-loop join.
    raw.function(BUDGET_FUNCTION, { deterministic: false, directOnly: true }, (_row: unknown) => this.check());
  }

  /** Runs one statement under the budget. */
  run<T>(statement: () => T): T {
    this.deadline = Math.min(performance.now() + this.seconds * 1000, this.cap);
    try {
      return statement();
    } finally {
      this.deadline = Infinity;
    }
  }

  /**
   * Calls `fn`, during which a statement run under the budget stops by `deadline` at the
   * latest: the time an operation has left (docs/security.md "Queries"). NOTE: `fn` must run
   * its statement synchronously, as better-sqlite3 and Kysely's SQLite connection do.
   */
  within<T>(deadline: number, fn: () => T): T {
    this.cap = deadline;
    try {
      return fn();
    } finally {
      this.cap = Infinity;
    }
  }

  /** The budget check itself: 1 while time is left, a 400 AppError once it is spent. */
  private check(): number {
    if (performance.now() > this.deadline) {
      // Cleared at once: the statement is over, and nothing else may fail on its deadline.
      this.deadline = Infinity;
      throw queryTimeout();
    }
    return 1;
  }
}

/** Whether a statement's SQL checks the budget, and so needs its deadline set. */
export function checksBudget(sql: string): boolean {
  return sql.includes(`${BUDGET_FUNCTION}(`);
}
