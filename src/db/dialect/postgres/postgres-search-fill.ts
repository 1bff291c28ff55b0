/**
 * The fill of a PostgreSQL search index created over more rows than the schema transaction
 * fills itself (docs/search.md §4.2): its row in FILL_TABLE says which rows still need their
 * field vectors (`_rowid_` above `done`, up to `start`; rows written since get them from the
 * trigger). Step by step, each short: first its indexes are built `CONCURRENTLY` (writes go
 * on), then the vectors are computed batch by batch in `_rowid_` order, then the table is
 * vacuumed and analyzed, and the row removed. Searches meanwhile find the rows filled so far,
 * as on SQLite.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../database.js';
import type { SearchIndexSpec } from '../full-text.js';
import { isQueryCanceled } from '../../postgres-errors.js';
import { ROWID_COLUMN } from './postgres-rowid.js';
import { FILL_TABLE, ginIndexStatement, hasFillTable, rowidIndexStatement, searchIndexNames, vectorAssignments } from './postgres-search-schema.js';

interface FillRow {
  key: string;
  tbl: string;
  cols: string;
  start: number;
  done: number;
}

/**
 * Takes one step of a fill still to run: builds its indexes if they are not both valid yet,
 * else fills the next `batch` rows, or once none is left, vacuums the table and removes the
 * fill. Each step runs on a pooled connection of its own under a session advisory lock on the
 * index, so nodes never work on one index at once; a fill another node holds is left to it.
 * Returns how much it did (at least 1), 0 when no fill is left that another node is not
 * running. `signal` aborted: a build or vacuum under way is cancelled (a later step does it
 * again), and no step starts.
 */
export async function fillSearchIndexes(db: Executor, batch: number, q: (name: string) => string, signal?: AbortSignal): Promise<number> {
  if (signal?.aborted || !(await hasFillTable(db))) return 0;
  const { rows } = await sql<FillRow>`SELECT key, tbl, cols, start, done FROM ${sql.table(FILL_TABLE)} ORDER BY key`.execute(db);
  for (const fill of rows) {
    const did = await db.connection().execute((conn) => underLock(conn, fillLock(fill.key), async () => {
      try {
        return await fillStep(db, conn, fill, batch, q, signal);
      } catch (err) {
        // The change's commit starts the fill again, which builds the index anew.
        if (err instanceof HeldOff) return 1;
        throw err;
      }
    }));
    if (did !== null) return did;
  }
  return 0;
}

/** One step of `fill`, on `conn`, which holds its lock (fillSearchIndexes). */
async function fillStep(db: Executor, conn: Executor, fill: FillRow, batch: number, q: (name: string) => string, signal?: AbortSignal): Promise<number> {
  const spec: SearchIndexSpec = { key: fill.key, table: fill.tbl, columns: JSON.parse(fill.cols) as string[] };
  // The long statements (builds, the vacuum) run without the query timeout, stop with
  // `signal`, and start with LONG_STEP, by which a schema change finds them (holdSearchFill).
  const long = async (statement: RawBuilder<unknown>) => {
    try {
      return await cancelledBy(signal, db, conn, () => withoutTimeout(conn, () => sql`${sql.raw(LONG_STEP)} ${statement}`.execute(conn)));
    } catch (err) {
      // Without the query timeout, cancelled only on request: at shutdown (`signal`), or else
      // by a schema change of the table (holdSearchFill).
      throw !signal?.aborted && isCancelled(err) ? new HeldOff() : err;
    }
  };
  if (await buildIndexes(conn, spec, long)) return 1;
  if (fill.done < fill.start) return fillBatch(conn, fill, spec, batch, q);
  // Every row filled: the old copies of the rows the fill wrote are reclaimed, and the
  // planner's statistics see the vectors (docs/search.md §6.3 estimates from them).
  await long(sql`VACUUM (ANALYZE) ${sql.table(spec.table)}`);
  await sql`DELETE FROM ${sql.table(FILL_TABLE)} WHERE key = ${fill.key} AND tbl = ${fill.tbl} AND cols = ${fill.cols} AND done >= start`.execute(conn);
  return 1;
}

/** The comment a fill step's long statements start with (holdSearchFill finds them by it). */
const LONG_STEP = '/* plinth search fill */';
/** Attempts of holdSearchFill to take a fill's lock, cancelling its long statement, before it waits. */
const HOLD_ATTEMPTS = 200;
/** Milliseconds between two of them. */
const HOLD_PAUSE_MS = 25;

/** The advisory lock a step of the fill of index `key` holds (for its session), and a schema change of the table (for its transaction). */
function fillLock(key: string): RawBuilder<number> {
  return sql<number>`hashtext(${`plinth_search_fill:${key}`})`;
}

/**
 * Holds the fill of index `key` off until `trx` ends, before a schema change alters its table
 * (docs/search.md §4.2): takes the fill's lock for the transaction, so no step starts, and
 * cancels a build or vacuum of it under way on any node, so the change waits neither for it
 * (a minute for the GIN index of 1,000,000 rows) nor deadlocks with it (`CREATE INDEX
 * CONCURRENTLY` waits for the transactions older than its own snapshots, the change's among
 * them). A batch under way is let finish: it takes a fraction of a second. After
 * HOLD_ATTEMPTS, the change waits for the lock.
 */
export async function holdSearchFill(trx: Executor, key: string): Promise<void> {
  const lock = fillLock(key);
  for (let attempt = 0; attempt < HOLD_ATTEMPTS; attempt++) {
    const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${lock}) AS ok`.execute(trx);
    if (rows[0]?.ok === true) return;
    // The session holding the lock, if it runs a long statement: an advisory lock of a bigint
    // key shows as its high and low 32 bits (classid, objid) with objsubid 1.
    await sql`SELECT pg_cancel_backend(a.pid) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::int8 << 32) | l.objid::int8) = ${lock}::int8
        AND a.state = 'active' AND starts_with(a.query, ${LONG_STEP})`.execute(trx);
    await new Promise((resolve) => setTimeout(resolve, HOLD_PAUSE_MS));
  }
  await sql`SELECT pg_advisory_xact_lock(${lock})`.execute(trx);
}

/** A long statement of a fill step cancelled by a schema change of its table (holdSearchFill). */
class HeldOff extends Error {}

/** Whether `err` is a cancelled statement, as the driver raises it or as the pool's query timeout wraps it (its cause). */
function isCancelled(err: unknown): boolean {
  return isQueryCanceled(err) || isQueryCanceled((err as { cause?: unknown } | null)?.cause);
}

/**
 * Runs `fn` holding the session advisory lock `lock` on `conn`; null (without running it) when
 * another session holds it. NOTE: the unlock is tried again once: a schema change's cancel
 * (holdSearchFill) sent as a long statement ended can land on it, and a connection must not go
 * back to the pool holding the lock.
 */
async function underLock<T>(conn: Executor, lock: RawBuilder<number>, fn: () => Promise<T>): Promise<T | null> {
  const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${lock}) AS ok`.execute(conn);
  if (rows[0]?.ok !== true) return null;
  try {
    return await fn();
  } finally {
    const unlock = sql`SELECT pg_advisory_unlock(${lock})`;
    await unlock.execute(conn).catch(() => unlock.execute(conn));
  }
}

/** Runs `fn` on `conn`, cancelling the statement it runs (from another connection of `db`) if `signal` is aborted meanwhile. */
async function cancelledBy<T>(signal: AbortSignal | undefined, db: Executor, conn: Executor, fn: () => Promise<T>): Promise<T> {
  if (!signal) return fn();
  // Aborted between two long statements: the next one does not start.
  signal.throwIfAborted();
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(conn);
  const cancel = () => void sql`SELECT pg_cancel_backend(${rows[0]!.pid})`.execute(db).catch(() => undefined);
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await fn();
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/**
 * Builds the `_rowid_` and GIN indexes of `spec` CONCURRENTLY, those not there and valid (a
 * build that failed or was cut off leaves its index invalid: it is dropped and built anew);
 * false when both were valid already. Each statement through `long`: without the query
 * timeout (63 s for the GIN index of 1,000,000 rows, docs/search.md §4.2), cancelled at shutdown.
 */
async function buildIndexes(conn: Executor, spec: SearchIndexSpec, long: (statement: RawBuilder<unknown>) => Promise<unknown>): Promise<boolean> {
  const names = searchIndexNames(spec.key);
  const { rows } = await sql<{ name: string; valid: boolean }>`SELECT c.relname AS name, i.indisvalid AS valid
    FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN (${names.rowid}, ${names.gin})`.execute(conn);
  const state = new Map(rows.map((r) => [r.name, r.valid]));
  if (state.get(names.rowid) === true && state.get(names.gin) === true) return false;
  const builds: [string, RawBuilder<unknown>][] = [[names.rowid, rowidIndexStatement(spec, true)], [names.gin, ginIndexStatement(spec, true)]];
  for (const [name, statement] of builds) {
    if (state.get(name) === true) continue;
    if (state.has(name)) await long(sql`DROP INDEX CONCURRENTLY IF EXISTS ${sql.id(name)}`);
    await long(statement);
  }
  return true;
}

/**
 * Computes the field vectors of the next `batch` rows of `fill` and moves its `done` past them
 * (to `start` with the last batch): one statement, over the fill's row as it is now (locked),
 * so a schema change that replaced it meanwhile (another table or columns) stops this batch
 * from touching it. Returns the rows filled, at least 1.
 */
async function fillBatch(conn: Executor, fill: FillRow, spec: SearchIndexSpec, batch: number, q: (name: string) => string): Promise<number> {
  const table = sql.table(spec.table);
  const rowid = sql.id(ROWID_COLUMN);
  const state = sql.table(FILL_TABLE);
  // NOTE: every bound a scalar subquery, so that both scans start at `done` in the rowid index:
  // joined with the fill's row, the planner read the index from its first entry (and merged
  // the update with the batch from there), every batch reading all the rows filled before it.
  const bound = (of: 'done' | 'start') => sql`(SELECT ${sql.id(of)} FROM st)`;
  const { rows } = await sql<{ n: number }>`WITH
      st AS (SELECT start, done FROM ${state} WHERE key = ${fill.key} AND tbl = ${fill.tbl} AND cols = ${fill.cols} FOR UPDATE),
      b AS (SELECT ${rowid} AS r FROM ${table} WHERE ${rowid} > ${bound('done')} AND ${rowid} <= ${bound('start')} ORDER BY ${rowid} LIMIT ${batch}),
      m AS (SELECT max(r) AS upto, count(*)::int AS n FROM b),
      u AS (UPDATE ${table} SET ${sql.raw(vectorAssignments(spec.columns, q))} WHERE ${rowid} > ${bound('done')} AND ${rowid} <= (SELECT upto FROM m)),
      moved AS (UPDATE ${state} AS f SET done = CASE WHEN m.n = ${batch} THEN m.upto ELSE st.start END FROM st, m WHERE f.key = ${fill.key})
    SELECT (SELECT n FROM m) AS n`.execute(conn);
  return Math.max(1, rows[0]?.n ?? 0);
}

/** Runs `fn` on `conn` without the pool's query timeout, which it gets back after. */
async function withoutTimeout<T>(conn: Executor, fn: () => Promise<T>): Promise<T> {
  await sql`SET statement_timeout = 0`.execute(conn);
  try {
    return await fn();
  } finally {
    await sql`RESET statement_timeout`.execute(conn);
  }
}
