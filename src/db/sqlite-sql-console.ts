/**
 * The SQL console on SQLite (docs/operations.md "SQL console"). better-sqlite3 cannot
 * interrupt a running statement (no sqlite3_interrupt, no progress handler) and a
 * worker thread cannot be stopped inside one either, so each statement runs in a child
 * process with its own connection to the database file, killed at the time limit: a
 * statement that would run for minutes answers its 400 at the limit, and the node keeps
 * serving other requests meanwhile, because its own connection is never involved.
 * NOTE on writes: the child's write transaction holds SQLite's one write lock, so the
 * node's own writes wait for it (up to their busy timeout) — at most the time limit, as
 * a write of the node would wait for another. A killed child's unfinished transaction is
 * dropped by SQLite, its locks with the process.
 * An in-memory database (library use) cannot be opened twice: its console runs in
 * process, with no time limit inside one statement.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { tooManyRequests } from '../errors/app-error.js';
import { queryTimeout } from '../errors/query-timeout.js';
import { unavailable } from '../errors/service-unavailable.js';
import { SqlRunError } from '../errors/sql-run-error.js';
import type { SqlConsole, SqlRun } from '../core/sql/sql-console.js';
import type { Db } from './database.js';
import type { ConsoleAnswer, ConsoleTask } from './sqlite-console-child.js';
import { assertNoPragmaSetting, runConsoleStatement } from './sqlite-console-statement.js';

/** Console statements running at once on a node: each is a process, so they are few. */
const MAX_RUNNING = 2;
/** How long a child may take to start before the console gives up (a loaded machine). */
const START_TIMEOUT_MS = 15_000;

/** A SqlConsole over the database file `file` (`:memory:`: over `raw` in process), `seconds` per statement. */
export function createSqliteSqlConsole(db: Db, raw: Database.Database, file: string, seconds: number): SqlConsole {
  if (file === ':memory:') {
    return {
      run: async (query, limits) => {
        assertNoPragmaSetting(query);
        // The connection lock keeps every other query, and any open Kysely transaction, out of its transaction.
        return db.connection().execute(async () => runConsoleStatement(raw, query, limits));
      },
    };
  }
  let running = 0;
  return {
    async run(query, limits) {
      assertNoPragmaSetting(query);
      if (running >= MAX_RUNNING) throw tooManyRequests(1);
      running++;
      try {
        return await runInChild({ file, query, maxRows: limits.maxRows, busyMs: seconds * 1000 }, seconds);
      } finally {
        running--;
      }
    },
  };
}

/** Runs `task` in a fresh child process, killed once it ran `seconds` (a 400) or failed to start (a 503). */
function runInChild(task: ConsoleTask, seconds: number): Promise<SqlRun> {
  return new Promise<SqlRun>((resolve, reject) => {
    const child = startChild();
    let timer = setTimeout(() => finish(() => reject(unavailable(new Error('the SQL console process did not start')))), START_TIMEOUT_MS);
    let done = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      settle();
    };
    child.on('message', (message: 'ready' | ConsoleAnswer) => {
      if (message === 'ready') {
        clearTimeout(timer);
        // The time limit counts from the statement's start, not the process's.
        timer = setTimeout(() => finish(() => reject(queryTimeout())), seconds * 1000);
        child.send(task);
        return;
      }
      finish(() => (message.ok ? resolve(message.run) : reject(new SqlRunError(message.message))));
    });
    child.on('error', (err) => finish(() => reject(unavailable(err))));
    child.on('exit', (code, signal) => finish(() => reject(unavailable(new Error(`the SQL console process ended (${signal ?? code})`)))));
  });
}

/** Forks the child module: the built `.js` beside this file, or under tests its `.ts` source through tsx. */
function startChild(): ChildProcess {
  const js = fileURLToPath(new URL('./sqlite-console-child.js', import.meta.url));
  const path = existsSync(js) ? js : js.replace(/\.js$/, '.ts');
  const execArgv = path.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return fork(path, [], { execArgv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
}
