/**
 * Full-text search on PostgreSQL (docs/search.md §4.2): a stored `tsvector` per searchable
 * field, which rows are matched and ranked on, kept by a trigger, and a GIN index of the
 * fields' word prefixes, which finds them (postgres-search-schema.ts). An index created over
 * a large table is built and filled after the schema change, online (postgres-search-fill.ts).
 */
import { sql, type RawBuilder } from 'kysely';
import type { SearchQuery, SearchTerm } from '../../../core/search/search-query.js';
import { ENGLISH_STOP_WORDS } from '../../../tools/english-stop-words.js';
import { Lru } from '../../../tools/lru.js';
import type { Executor } from '../../database.js';
import { ROWID_COLUMN } from './postgres-rowid.js';
import type { FullText, MatchUse, SearchIndexSpec, SearchTierSource } from '../full-text.js';
import { createSearchIndex, dropSearchIndex, ENTRIES_FUNCTION, fieldColumn, prefixEntries, renameSearchIndex, SYNC_FILL_ROWS, upgradeSearchIndex } from './postgres-search-schema.js';
import { fillSearchIndexes, holdSearchFill } from './postgres-search-fill.js';

/** PostgresFullText keeps stored tsvector columns and a GIN index of word prefixes. */
export class PostgresFullText implements FullText {
  /** `syncRows`: an index over this many rows or fewer is filled in the schema transaction; a larger one online. */
  constructor(
    private readonly quoteId: (name: string) => string,
    private readonly reads: TierReads = DEFAULT_TIER_READS,
    private readonly syncRows = SYNC_FILL_ROWS,
  ) {}

  async create(trx: Executor, spec: SearchIndexSpec): Promise<void> {
    await createSearchIndex(trx, spec, this.quoteId, this.syncRows);
  }

  async drop(trx: Executor, spec: SearchIndexSpec): Promise<void> {
    await dropSearchIndex(trx, spec, this.quoteId);
  }

  /** A rename keeps the vectors and indexes; only the trigger function is rewritten (docs/search.md §4.2). */
  renamed(trx: Executor, from: SearchIndexSpec, to: SearchIndexSpec): Promise<boolean> {
    return renameSearchIndex(trx, from, to, this.quoteId);
  }

  /** Cancels a build or vacuum of the index under way, and holds its fill off until `trx` ends (docs/search.md §4.2). */
  hold(trx: Executor, key: string): Promise<void> {
    return holdSearchFill(trx, key);
  }

  /** One step of an index still to build or fill (docs/search.md §4.2). */
  backfill(db: Executor, batch: number, signal?: AbortSignal): Promise<number> {
    return fillSearchIndexes(db, batch, this.quoteId, signal);
  }

  /** Brings a searchable table made by an earlier version up to this layout, one table a call (docs/search.md §4.2). */
  async upgrade(db: Executor): Promise<number> {
    return upgradeSearchIndex(db, this.quoteId);
  }

  /**
   * `root` matches `query` in `column` (anywhere when null). As a filter, the GIN index's
   * entries find the candidate rows and the row's own vectors decide; as a row test (`use`
   * 'row': the rank of a row, a negated search) the vectors alone.
   */
  match(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery, use: MatchUse = 'filter'): RawBuilder<boolean> {
    const row = rowMatch(root, spec, column, query);
    if (use === 'row') return row;
    return sql<boolean>`(${row} AND ${prefixMatch(root, spec, entries(query.include, fieldsOf(spec, column)))})`;
  }

  tier(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery, subsets: number[] | null): SearchTierSource {
    const table = sql.table(spec.table);
    const rowid = sql.id(root, ROWID_COLUMN);
    // A tier's rows: the row's vectors decide; the GIN index's entries find them (`indexed`).
    // NOTE: the tier's per-field tests first: they reject most rows of a window without
    // joining the fields' vectors, which the whole search (its exclusions) is tested on.
    const onRow = (row: string) => {
      const match = rowMatch(row, spec, column, query);
      return subsets === null ? match : sql<boolean>`${tierCondition(row, spec, query, subsets)} AND ${match}`;
    };
    const fields = fieldsOf(spec, column);
    const found = subsets === null ? entries(query.include, fields) : tierEntries(query, fields, subsets);
    const indexed = (row: string) => sql<boolean>`${onRow(row)} AND ${prefixMatch(row, spec, found)}`;
    const reads = this.reads;
    const estimate = (exec: Executor, place: string | null) => this.estimate(exec, spec, place, query);
    return {
      from: sql`(SELECT * FROM ${table} AS ${sql.id('t')} WHERE ${indexed('t')}) AS ${sql.id(root)}`,
      rowid,
      async page(exec, conditions, descending, limit) {
        const where = (tier: RawBuilder<boolean>) => sql.join([tier, ...conditions].map((x) => sql`(${x})`), sql` AND `);
        const dir = descending ? sql`DESC` : sql`ASC`;
        // NOTE: `+ 0` keeps the planner off the rowid index: the GIN index finds a tier of few
        // rows without reading the others.
        const fromIndex = sql`SELECT ${sql.id(root, 'id')} AS id, ${rowid} AS r FROM ${table} AS ${sql.id(root)} WHERE ${where(indexed(root))} ORDER BY ${rowid} + 0 ${dir} LIMIT ${limit}`;
        const bound = await tierBound(subsets === null ? [column] : spec.columns, subsets, (place) => estimate(exec, place));
        const statement = bound <= reads.ginFirstRows
          ? fromIndex
          : probeFirst(table, root, { row: where(onRow(root)), indexed: where(indexed(root)) }, descending, limit, { window: reads.probeRows(limit), sample: reads.sampleRows(limit) });
        return (await sql<{ id: string }>`${statement}`.execute(exec)).rows.map((r) => r.id);
      },
    };
  }

  /**
   * True when the planner bounds the search's matches (in `column`, anywhere when null) at
   * `reads.rankEveryRows` or fewer: one statement ranking them all then costs less than a
   * statement per tier (docs/search.md §6.3). The same estimates as the tiers' (cached).
   */
  async ranksEveryMatch(exec: Executor, spec: SearchIndexSpec, column: string | null, query: SearchQuery): Promise<boolean> {
    return await this.estimate(exec, spec, column, query) <= this.reads.rankEveryRows;
  }

  /**
   * An upper bound, from the planner's estimates, of how many rows hold the search's include
   * part in `column` (anywhere when null: in one of the fields, so no more than the sum of
   * the fields'): each term is in every such row, so no more rows than the rarest word of the
   * search holds. NOTE: per word, because the planner multiplies the estimates of words found
   * together (`rain jacket`), 35 times too low in the bench; from the statistics of the stored
   * field vectors, whose rare words are counted where the GIN index's prefix entries (many
   * and common) leave every rare one at a floor of about 4,000 rows.
   */
  private async estimate(exec: Executor, spec: SearchIndexSpec, column: string | null, query: SearchQuery): Promise<number> {
    const words = [...new Set(query.include.flatMap((t) => t.words))].filter((w) => !ENGLISH_STOP_WORDS.has(w));
    let bound = Infinity;
    for (const word of words) {
      let rows = 0;
      for (const field of fieldsOf(spec, column)) rows += await this.wordEstimate(exec, spec, word, field);
      bound = Math.min(bound, rows);
    }
    return bound;
  }

  /**
   * The planner's estimate of the rows holding `word` (a prefix) in the `field`-th searchable
   * field, kept for ESTIMATE_TTL_MS: a search's tiers, its next pages and the same words in
   * later searches share it (an `EXPLAIN` round trip per word and field, 6 for `recycled cotton
   * shirt`). The planner's statistics change only when the table is analyzed; an estimate a
   * minute old picks a way to read the page, never which rows it holds. NOTE: only answers are
   * kept, not the requests for them: a request cut off by its own query budget fails alone.
   */
  private async wordEstimate(exec: Executor, spec: SearchIndexSpec, word: string, field: number): Promise<number> {
    const key = `${spec.table}\u0000${field}\u0000${word}`;
    const kept = this.estimates.get(key);
    if (kept && Date.now() - kept.at < ESTIMATE_TTL_MS) return kept.rows;
    const condition = sql`${sql.id('t', fieldColumn(field))} @@ ${term({ words: [word], phrase: false })}`;
    const { rows } = await sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${sql.table(spec.table)} AS t WHERE ${condition}`.execute(exec);
    const estimate = planRows(rows[0]);
    this.estimates.set(key, { rows: estimate, at: Date.now() });
    return estimate;
  }

  private readonly estimates = new Lru<string, { rows: number; at: number }>(ESTIMATES_KEPT);
}

/** How long a word's estimate is kept (PostgresFullText.wordEstimate), and how many are. */
const ESTIMATE_TTL_MS = 60_000;
const ESTIMATES_KEPT = 2000;

/** How a relevance tier's page is read (docs/search.md §6.3). */
export interface TierReads {
  /** A search whose matches the planner bounds at this many or fewer is ranked whole, in one statement, not by tier. */
  rankEveryRows: number;
  /** A tier whose rows the planner bounds at this many or fewer is read through the GIN index alone. */
  ginFirstRows: number;
  /** How many of the newest rows a larger tier reads in insertion order first, for a page of `limit` rows. */
  probeRows(limit: number): number;
  /** How many of those it reads before deciding whether to read the rest: none of the tier's rows among them, and it goes to the GIN index. */
  sampleRows(limit: number): number;
}

/** The measured defaults (docs/search.md §6.3): a search of at most 2,000 rows is ranked whole; a tier of at least 1 row in 1,000 fills its page from the newest rows. */
const DEFAULT_TIER_READS: TierReads = {
  rankEveryRows: 2000,
  ginFirstRows: 1000,
  probeRows: (limit) => Math.min(100_000, 1000 * limit),
  sampleRows: (limit) => Math.min(5_000, 50 * limit),
};

/**
 * An upper bound of a tier's rows over `columns` (`estimate`: of one column, anywhere when
 * null): each subset's rows hold the include part in each of its columns, so no more than in
 * the rarest of them; the subset of no column (words spread over the fields) no more than
 * hold it anywhere. Null `subsets`: the rows of `columns[0]`. Asks only for what it needs.
 */
async function tierBound(columns: (string | null)[], subsets: number[] | null, estimate: (column: string | null) => Promise<number>): Promise<number> {
  if (subsets === null) return estimate(columns[0] ?? null);
  let sum = 0;
  for (const mask of subsets) {
    const within = columns.filter((_, i) => (mask & (1 << i)) !== 0);
    const bounds = await Promise.all(within.length === 0 ? [estimate(null)] : within.map(estimate));
    sum += Math.min(...bounds);
  }
  return sum;
}

/** The row count the planner expects of an `EXPLAIN (FORMAT JSON)` result row. */
function planRows(row: unknown): number {
  const out = row && typeof row === 'object' ? Object.values(row)[0] : undefined;
  const parsed: unknown = typeof out === 'string' ? JSON.parse(out) : out;
  const plan = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: unknown } } | undefined)?.Plan : undefined;
  const rows = Number(plan?.['Plan Rows']);
  return Number.isFinite(rows) ? rows : Infinity;
}

/**
 * A tier's page read from the `window` newest rows first, in the rowid index's order (a tier
 * of many rows fills the page at once), tested on the rows alone (`where.row`), and only if
 * they hold too few of its rows, from the older ones through the GIN index (`where.indexed`):
 * one statement, so one snapshot. The `sample` newest rows are read first: when they hold
 * none of the tier's rows, the tier is sparse (under one row in `sample`, most likely) and
 * the rest of the window is skipped for the GIN index at once (docs/search.md §6.3.3).
 */
function probeFirst(
  table: RawBuilder<unknown>, root: string, where: { row: RawBuilder<unknown>; indexed: RawBuilder<unknown> }, descending: boolean, limit: number,
  rows: { window: number; sample: number },
): RawBuilder<unknown> {
  const rowid = sql.id(root, ROWID_COLUMN);
  const dir = descending ? sql`DESC` : sql`ASC`;
  const edge = descending ? sql`min` : sql`max`;
  const beyond = descending ? sql`<` : sql`>`;
  // NOTE: at least one row, so that the edge of what it read is a rowid.
  const sample = Math.max(1, Math.min(rows.sample, rows.window));
  const inOrder = sql`ORDER BY ${sql.id(ROWID_COLUMN)} ${dir}`;
  const edgeOf = (n: number) => sql`(SELECT ${edge}(${sql.id(ROWID_COLUMN)}) FROM (SELECT ${sql.id(ROWID_COLUMN)} FROM ${table} ${inOrder} LIMIT ${n}) AS w)`;
  const matches = (region: RawBuilder<unknown>, gate: RawBuilder<unknown>) => sql`SELECT ${sql.id(root, 'id')} AS id, ${rowid} AS r
    FROM (SELECT * FROM ${table} ${inOrder} ${region}) AS ${sql.id(root)} WHERE ${gate} AND ${where.row} ORDER BY ${rowid} ${dir} LIMIT ${limit}`;
  const found = sql`(SELECT count(*) FROM sample)`;
  return sql`WITH sample AS MATERIALIZED (${matches(sql`LIMIT ${sample}`, sql`TRUE`)}),
    probe AS MATERIALIZED (
      SELECT id, r FROM sample
      UNION ALL
      SELECT id, r FROM (${matches(sql`LIMIT ${rows.window - sample} OFFSET ${sample}`, sql`${found} BETWEEN 1 AND ${limit - 1}`)}) AS more)
    SELECT id FROM (
      SELECT id, r FROM probe
      UNION ALL
      SELECT id, r FROM (SELECT ${sql.id(root, 'id')} AS id, ${rowid} AS r FROM ${table} AS ${sql.id(root)}
        WHERE (SELECT count(*) FROM probe) < ${limit}
          AND ${rowid} ${beyond} (CASE WHEN ${found} > 0 THEN ${edgeOf(rows.window)} ELSE ${edgeOf(sample)} END) AND ${where.indexed}
        ORDER BY ${rowid} + 0 ${dir} LIMIT ${limit}) AS rest
    ) AS tier ORDER BY r ${dir} LIMIT ${limit}`;
}

/**
 * The condition of a relevance tier: the search's include part matches in every column of
 * one of `subsets` and in none of the others (the same matches compileSearchRank weighs).
 */
function tierCondition(row: string, spec: SearchIndexSpec, query: SearchQuery, subsets: number[]): RawBuilder<boolean> {
  const include = { include: query.include, exclude: [] };
  const hits = spec.columns.map((c) => rowMatch(row, spec, c, include));
  const one = (mask: number) => sql`(${sql.join(hits.map((hit, i) => ((mask & (1 << i)) !== 0 ? hit : sql`NOT (${hit})`)), sql` AND `)})`;
  return sql<boolean>`(${sql.join(subsets.map(one), sql` OR `)})`;
}

/**
 * The index query of a tier's rows: for each subset, the search's words in each of its
 * fields (a subset of none, the words spread over the fields: in any of `fields`).
 */
function tierEntries(query: SearchQuery, fields: number[], subsets: number[]): RawBuilder<unknown> {
  const one = (mask: number) => {
    const within = fields.filter((i) => (mask & (1 << i)) !== 0);
    if (within.length === 0) return entries(query.include, fields);
    return sql`(${sql.join(within.map((i) => entries(query.include, [i])), sql` && `)})`;
  };
  return sql`(${sql.join(subsets.map(one), sql` || `)})`;
}

/** The places in `spec` of `column`'s field, or of every searchable field when null. */
function fieldsOf(spec: SearchIndexSpec, column: string | null): number[] {
  return column === null ? spec.columns.map((_, i) => i) : [spec.columns.indexOf(column)];
}

/** The index query of `terms` over `fields` (postgres-search-schema.ts, ENTRIES_FUNCTION). */
function entries(terms: SearchTerm[], fields: number[]): RawBuilder<unknown> {
  return sql`${sql.raw(ENTRIES_FUNCTION)}(${terms.map((t) => t.words.join(' '))}::text[], ${fields}::int[])`;
}

/**
 * The row's prefix entries hold `found`: the GIN index's own expression, so the planner
 * answers it from the index. NOTE: written after the row's own test, which PostgreSQL then
 * evaluates first where no index is used (under `||`): the entries cost ~60 µs a row to
 * compute, the test a few.
 */
function prefixMatch(root: string, spec: SearchIndexSpec, found: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`${prefixEntries(spec, root)} @@ ${found}`;
}

/** `root` matches `query` in `column` (anywhere when null), on the row's stored vectors. */
function rowMatch(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery): RawBuilder<boolean> {
  const vectors = fieldsOf(spec, column).map((i) => sql.id(root, fieldColumn(i)));
  // Per-field vectors joined with ||: positions continue, so a phrase never spans two fields.
  return sql<boolean>`(${sql.join(vectors, sql` || `)}) @@ ${tsquery(query)}`;
}

/**
 * The tsquery of a search. SECURITY: every word is a bound value of letters and digits
 * only (parseSearchQuery), quoted by quote_literal before to_tsquery reads it; phrases go
 * through phraseto_tsquery, which reads plain text. No user text is tsquery syntax.
 */
function tsquery(query: SearchQuery): RawBuilder<unknown> {
  const include = query.include.map(term);
  const exclude = query.exclude.map((t) => sql`!! ${term(t)}`);
  return sql`(${sql.join([...include, ...exclude], sql` && `)})`;
}

function term(t: SearchTerm): RawBuilder<unknown> {
  const text = t.words.join(' ');
  if (t.phrase) return sql`phraseto_tsquery('english'::regconfig, ${text}::text)`;
  return sql`to_tsquery('english'::regconfig, quote_literal(${text}::text) || ':*')`;
}
