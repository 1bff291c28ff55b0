/**
 * The SQL console's child process on SQLite (docs/operations.md "SQL console"): opens
 * the database file on a connection of its own, runs the one statement it is sent, sends
 * back the result or the engine's error, and exits. The parent kills it at the time
 * limit, which stops any statement, however long its single step; SQLite then drops the
 * killed connection's unfinished transaction and its locks.
 */
import Database from 'better-sqlite3';
import { SqlRunError } from '../errors/sql-run-error.js';
import { runConsoleStatement } from './sqlite-console-statement.js';

/** What the parent sends. */
export interface ConsoleTask {
  file: string;
  query: string;
  maxRows: number;
  /** How long to wait for another connection's write lock, in ms (the rest of the time limit). */
  busyMs: number;
}

/** What the child answers. */
export type ConsoleAnswer =
  | { ok: true; run: ReturnType<typeof runConsoleStatement> }
  | { ok: false; message: string };

process.once('message', (task: ConsoleTask) => {
  let answer: ConsoleAnswer;
  try {
    const raw = new Database(task.file, { fileMustExist: true });
    raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(task.busyMs))}`);
    raw.pragma('foreign_keys = ON');
    answer = { ok: true, run: runConsoleStatement(raw, task.query, { maxRows: task.maxRows }) };
    raw.close();
  } catch (err) {
    answer = { ok: false, message: err instanceof SqlRunError ? err.message : err instanceof Error ? err.message : String(err) };
  }
  process.send!(answer, () => process.exit(0));
});
// A parent that went away wants no answer.
process.once('disconnect', () => process.exit(1));
// The modules are loaded: the parent starts the time limit when it sends the task.
process.send!('ready');
