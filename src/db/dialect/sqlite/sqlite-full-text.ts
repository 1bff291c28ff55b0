/**
 * Full-text search on SQLite (docs/search.md §4.1): a contentless FTS5 table per collection,
 * `porter unicode61` tokens, kept in step by triggers on the collection's table. Its columns
 * are named by position (`c0`, `c1`, …), and it never reads the collection's table, so a
 * renamed collection or field keeps it: SQLite rewrites the triggers' names itself.
 *
 * NOTE: triggers rather than the record write pipeline, because every writer then keeps the
 * index right: the record service, cascades, truncate, app code's SQL and the SQL console.
 * An index created over existing rows is filled online, in batches (`backfill`): the state
 * row in `_plinth_search` says which rowids are indexed (above `start`, or up to `done`),
 * and the triggers touch only those, so a write racing the batches never deletes words
 * that were not indexed (which would corrupt a contentless index).
 */
import { sql, type RawBuilder } from 'kysely';
import type { SearchQuery, SearchTerm } from '../../../core/search/search-query.js';
import type { Executor } from '../../database.js';
import type { FullText, SearchIndexSpec, SearchTierSource } from '../full-text.js';
import { BUDGET_FUNCTION } from '../../sqlite-query-budget.js';

const STATE_TABLE = '_plinth_search';
/**
 * The FTS5 table options. NOTE: prefix indexes of 2–8 characters: a prefix query (every word
 * of a search is one) on a word longer than the longest prefix index merges the whole doclist
 * of every term it covers, 10–30× slower than reading a prefix index (docs/search.md §6).
 * Contentless (`content=''`): the triggers hand it every value it indexes or deletes. An index
 * made with other options (an external-content one, until December 2026) is recreated by
 * `upgrade` before the node serves, and filled by `backfill` (docs/search.md §4.1).
 */
const FTS_OPTIONS = "content='', tokenize='porter unicode61 remove_diacritics 0', prefix='2 3 4 5 6 7 8'";

/** SqliteFullText keeps contentless FTS5 tables. */
export class SqliteFullText implements FullText {
  constructor(private readonly quoteId: (name: string) => string) {}

  async create(trx: Executor, spec: SearchIndexSpec): Promise<void> {
    const q = this.quoteId;
    const fts = ftsName(spec);
    const cols = ftsColumns(spec).join(', ');
    await sql.raw(`CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (name TEXT PRIMARY KEY NOT NULL, tbl TEXT NOT NULL, cols TEXT NOT NULL, start INTEGER NOT NULL, done INTEGER NOT NULL)`).execute(trx);
    await sql.raw(`CREATE VIRTUAL TABLE ${q(fts)} USING fts5(${cols}, ${FTS_OPTIONS})`).execute(trx);
    const { rows } = await sql<{ m: number | null }>`SELECT max(rowid) AS m FROM ${sql.table(spec.table)}`.execute(trx);
    await sql`INSERT OR REPLACE INTO ${sql.table(STATE_TABLE)} (name, tbl, cols, start, done) VALUES (${fts}, ${spec.table}, ${JSON.stringify(spec.columns)}, ${rows[0]?.m ?? 0}, 0)`.execute(trx);
    const indexed = (row: string) => `(SELECT ${row}.rowid > start OR ${row}.rowid <= done FROM ${STATE_TABLE} WHERE name = ${literal(fts)})`;
    const values = (row: string) => spec.columns.map((c) => `${row}.${q(c)}`).join(', ');
    const add = (row: string) => `INSERT INTO ${q(fts)} (rowid, ${cols}) SELECT ${row}.rowid, ${values(row)} WHERE ${indexed(row)};`;
    const remove = (row: string) => `INSERT INTO ${q(fts)} (${q(fts)}, rowid, ${cols}) SELECT 'delete', ${row}.rowid, ${values(row)} WHERE ${indexed(row)};`;
    const table = q(spec.table);
    await sql.raw(`CREATE TRIGGER ${q(`${fts}_ai`)} AFTER INSERT ON ${table} BEGIN ${add('new')} END`).execute(trx);
    await sql.raw(`CREATE TRIGGER ${q(`${fts}_ad`)} AFTER DELETE ON ${table} BEGIN ${remove('old')} END`).execute(trx);
    await sql.raw(`CREATE TRIGGER ${q(`${fts}_au`)} AFTER UPDATE OF ${spec.columns.map(q).join(', ')} ON ${table} BEGIN ${remove('old')} ${add('new')} END`).execute(trx);
  }

  /**
   * A rename keeps the index (docs/search.md §4.1): its columns are named by position and its
   * triggers follow the renames by themselves; only the fill's record of the table and field
   * names changes. False for an index of an older layout, which is rebuilt instead.
   */
  async renamed(trx: Executor, from: SearchIndexSpec, to: SearchIndexSpec): Promise<boolean> {
    const fts = ftsName(to);
    if (fts !== ftsName(from)) return false;
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ${fts} AND instr(sql, ${FTS_OPTIONS}) > 0`.execute(trx);
    if (Number(rows[0]?.n) === 0) return false;
    await sql`UPDATE ${sql.table(STATE_TABLE)} SET tbl = ${to.table}, cols = ${JSON.stringify(to.columns)} WHERE name = ${fts}`.execute(trx);
    return true;
  }

  async drop(trx: Executor, spec: SearchIndexSpec): Promise<void> {
    const q = this.quoteId;
    const fts = ftsName(spec);
    for (const suffix of ['_ai', '_ad', '_au']) await sql.raw(`DROP TRIGGER IF EXISTS ${q(fts + suffix)}`).execute(trx);
    await sql.raw(`DROP TABLE IF EXISTS ${q(fts)}`).execute(trx);
    if (await hasStateTable(trx)) await sql`DELETE FROM ${sql.table(STATE_TABLE)} WHERE name = ${fts}`.execute(trx);
  }

  async backfill(db: Executor, batch: number): Promise<number> {
    if (!(await hasStateTable(db))) return 0;
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ name: string; tbl: string; cols: string; start: number; done: number }>`
        SELECT name, tbl, cols, start, done FROM ${sql.table(STATE_TABLE)} WHERE done < start ORDER BY name LIMIT 1`.execute(trx);
      const state = rows[0];
      if (!state) return 0;
      const fields = JSON.parse(state.cols) as string[];
      const cols = fields.map((c) => sql.id(c));
      const into = fields.map((_, i) => sql.id(ftsColumn(i)));
      const last = await sql<{ m: number | null; n: number }>`SELECT max(r) AS m, count(*) AS n FROM (SELECT rowid AS r FROM ${sql.table(state.tbl)}
        WHERE rowid > ${state.done} AND rowid <= ${state.start} ORDER BY rowid LIMIT ${batch})`.execute(trx);
      const upto = Number(last.rows[0]?.n) < batch ? state.start : Number(last.rows[0]!.m);
      await sql`INSERT INTO ${sql.table(state.name)} (rowid, ${sql.join(into)}) SELECT rowid, ${sql.join(cols)} FROM ${sql.table(state.tbl)}
        WHERE rowid > ${state.done} AND rowid <= ${upto}`.execute(trx);
      await sql`UPDATE ${sql.table(STATE_TABLE)} SET done = ${upto} WHERE name = ${state.name}`.execute(trx);
      return Math.max(1, Number(last.rows[0]?.n ?? 0));
    });
  }

  /**
   * Recreates one index made with other table options than FTS_OPTIONS (an older Plinth), which
   * the fill loop then fills like a new one; 0 when every index is current. Before the node
   * serves: the searches of this version name the columns of this layout.
   */
  async upgrade(db: Executor): Promise<number> {
    if (!(await hasStateTable(db))) return 0;
    const { rows } = await sql<{ name: string; tbl: string; cols: string }>`SELECT s.name, s.tbl, s.cols FROM ${sql.table(STATE_TABLE)} AS s
      JOIN sqlite_master AS m ON m.type = 'table' AND m.name = s.name WHERE instr(m.sql, ${FTS_OPTIONS}) = 0 ORDER BY s.name LIMIT 1`.execute(db);
    const old = rows[0];
    if (!old) return 0;
    const spec: SearchIndexSpec = { key: old.name.slice(FTS_PREFIX.length), table: old.tbl, columns: JSON.parse(old.cols) as string[] };
    await db.transaction().execute(async (trx) => {
      await this.drop(trx, spec);
      await this.create(trx, spec);
    });
    return 1;
  }

  match(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery): RawBuilder<boolean> {
    const fts = ftsName(spec);
    return sql<boolean>`${sql.id(root, '_rowid_')} IN (SELECT rowid FROM ${sql.table(fts)} WHERE ${sql.table(fts)} MATCH ${matchText(columnOf(spec, column), query)} AND ${budget(fts)})`;
  }

  tier(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery, subsets: number[] | null, present: number): SearchTierSource {
    const fts = sql.table(ftsName(spec));
    // NOTE: FTS5 drives the join: it yields its rowids in order (ORDER BY rowid is consumed),
    // so LIMIT stops the scan of the index after the page's rows.
    const text = subsets === null ? matchText(columnOf(spec, column), query) : tierText(ftsColumns(spec), query, subsets, present);
    return {
      from: sql`${fts} JOIN ${sql.table(spec.table)} AS ${sql.id(root)} ON ${sql.id(root, '_rowid_')} = ${fts}.rowid AND ${fts} MATCH ${text}`,
      rowid: sql`${fts}.rowid`,
    };
  }

  columnHits(spec: SearchIndexSpec, query: SearchQuery): RawBuilder<{ hits: number }> {
    const fts = sql.table(ftsName(spec));
    // NOTE: each EXISTS stops at its first row: at once when the column holds matches, one
    // evaluation of the search when it holds none (which every tier of that column would pay).
    const include = { include: query.include, exclude: [] };
    const bits = ftsColumns(spec).map((c, i) => sql`(EXISTS (SELECT 1 FROM ${fts} WHERE ${fts} MATCH ${matchText(c, include)}) * ${sql.lit(1 << i)})`);
    return sql<{ hits: number }>`SELECT ${sql.join(bits, sql` + `)} AS hits`;
  }

  count(spec: SearchIndexSpec, column: string | null, query: SearchQuery): RawBuilder<{ n: number }> {
    const fts = sql.table(ftsName(spec));
    return sql<{ n: number }>`SELECT count(*) AS n FROM ${fts} WHERE ${fts} MATCH ${matchText(columnOf(spec, column), query)} AND ${budget(ftsName(spec))}`;
  }
}

const FTS_PREFIX = '_search_';

/**
 * The query budget check on the rows a MATCH yields. SECURITY: a common word matches most
 * rows, and `rowid IN (SELECT … MATCH …)` lists them all before the outer query reads one,
 * so the budget must be checked inside (db/sqlite-query-budget.ts); once per 1024 rowids.
 */
function budget(fts: string): RawBuilder<boolean> {
  const rowid = sql`${sql.table(fts)}.rowid`;
  return sql<boolean>`((${rowid} & 1023) <> 0 OR ${sql.raw(BUDGET_FUNCTION)}(${rowid}))`;
}

function ftsName(spec: SearchIndexSpec): string {
  return `${FTS_PREFIX}${spec.key}`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Whether STATE_TABLE exists (it is created with the first searchable collection). */
async function hasStateTable(exec: Executor): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ${STATE_TABLE}`.execute(exec);
  return Number(rows[0]?.n) > 0;
}

/** The FTS5 column of the i-th searchable field. */
function ftsColumn(i: number): string {
  return `c${i}`;
}

/** The FTS5 columns of `spec`, in field order. */
function ftsColumns(spec: SearchIndexSpec): string[] {
  return spec.columns.map((_, i) => ftsColumn(i));
}

/** The FTS5 column of field `column` of `spec` (null: every column). */
function columnOf(spec: SearchIndexSpec, column: string | null): string | null {
  return column === null ? null : ftsColumn(spec.columns.indexOf(column));
}

/**
 * The FTS5 query text of a search, within FTS5 column `column` (null: anywhere). SECURITY:
 * built from words of letters and digits only (parseSearchQuery), each inside double quotes,
 * so no user text is FTS5 syntax.
 */
export function matchText(column: string | null, query: SearchQuery): string {
  const include = query.include.map(ftsTerm).join(' AND ');
  const body = query.exclude.length === 0 ? include : `(${include}) NOT (${query.exclude.map(ftsTerm).join(' OR ')})`;
  return column === null ? body : `{"${column.replaceAll('"', '""')}"} : (${body})`;
}

/**
 * The FTS5 query text of a relevance tier: for each subset of columns, the search's include
 * part in each column of the subset and in none of the others, and none of its exclusions.
 * Columns outside `present` (bitmask; -1: all) match in no row, so "not in them" is left out.
 * NOTE: each copy of a word is evaluated on its own, so the text holds no copy it can spare
 * (the include part in a column implies it anywhere).
 */
export function tierText(columns: string[], query: SearchQuery, subsets: number[], present: number): string {
  const include = { include: query.include, exclude: [] };
  const inColumn = columns.map((c) => `(${matchText(c, include)})`);
  const excluded = query.exclude.length === 0 ? [] : [`(${query.exclude.map(ftsTerm).join(' OR ')})`];
  const one = (mask: number) => {
    const within = inColumn.filter((_, i) => (mask & (1 << i)) !== 0);
    const outside = inColumn.filter((_, i) => (mask & (1 << i)) === 0 && (present & (1 << i)) !== 0);
    const must = (within.length > 0 ? within : [`(${matchText(null, include)})`]).join(' AND ');
    const not = [...outside, ...excluded];
    return not.length === 0 ? `(${must})` : `((${must}) NOT (${not.join(' OR ')}))`;
  };
  return subsets.map(one).join(' OR ');
}

function ftsTerm(term: SearchTerm): string {
  const text = `"${term.words.join(' ').replaceAll('"', '""')}"`;
  return term.phrase ? text : `${text}*`;
}
