/**
 * Full-text search on PostgreSQL (docs/search.md §4.2): a generated `tsvector` column over
 * every searchable field with a GIN index, and a GIN expression index per field for
 * `search(field, …)`, all in the `english` configuration. The engine keeps them in step
 * with every write; nothing is left to fill after the schema change.
 */
import { sql, type RawBuilder } from 'kysely';
import type { SearchQuery, SearchTerm } from '../../../core/search/search-query.js';
import type { Executor } from '../../database.js';
import { ROWID_COLUMN } from './postgres-dialect.js';
import type { FullText, SearchIndexSpec, SearchTierSource } from '../full-text.js';

/** The generated column that holds the words of every searchable field. */
export const SEARCH_COLUMN = '__search';

/** PostgresFullText keeps a generated tsvector column and GIN indexes. */
export class PostgresFullText implements FullText {
  /**
   * @param probeRows how many of the newest rows a relevance tier reads in insertion order
   *   before it turns to the GIN indexes, for a page of `limit` rows (docs/search.md §6.1).
   */
  constructor(private readonly quoteId: (name: string) => string, private readonly probeRows = defaultProbeRows) {}

  async create(trx: Executor, spec: SearchIndexSpec): Promise<void> {
    const q = this.quoteId;
    const table = q(spec.table);
    // Per-field vectors joined with ||: positions continue, so a phrase never spans two fields.
    const vector = spec.columns.map((c) => fieldVectorSql(q(c))).join(' || ');
    await sql.raw(`ALTER TABLE ${table} ADD COLUMN ${q(SEARCH_COLUMN)} tsvector GENERATED ALWAYS AS (${vector}) STORED`).execute(trx);
    await sql.raw(`CREATE INDEX ${q(`_search_${spec.key}`)} ON ${table} USING GIN (${q(SEARCH_COLUMN)})`).execute(trx);
    for (const [i, c] of spec.columns.entries()) {
      await sql.raw(`CREATE INDEX ${q(`_search_${spec.key}_${i}`)} ON ${table} USING GIN ((${fieldVectorSql(q(c))}))`).execute(trx);
    }
    // Insertion order, which a relevance tier is read in (`tier`): LIMIT then stops its scan.
    await sql.raw(`CREATE INDEX ${q(rowidIndex(spec))} ON ${table} (${q(ROWID_COLUMN)})`).execute(trx);
  }

  async drop(trx: Executor, spec: SearchIndexSpec): Promise<void> {
    // Dropping the column drops its index; the expression indexes go by name.
    for (const i of spec.columns.keys()) await sql.raw(`DROP INDEX IF EXISTS ${this.quoteId(`_search_${spec.key}_${i}`)}`).execute(trx);
    await sql.raw(`DROP INDEX IF EXISTS ${this.quoteId(rowidIndex(spec))}`).execute(trx);
    await sql.raw(`ALTER TABLE ${this.quoteId(spec.table)} DROP COLUMN IF EXISTS ${this.quoteId(SEARCH_COLUMN)}`).execute(trx);
  }

  async backfill(): Promise<number> {
    return 0;
  }

  match(root: string, _spec: SearchIndexSpec, column: string | null, query: SearchQuery): RawBuilder<boolean> {
    return sql<boolean>`${vectorOf(root, column)} @@ ${tsquery(query)}`;
  }

  tier(root: string, spec: SearchIndexSpec, column: string | null, query: SearchQuery, subsets: number[] | null): SearchTierSource {
    const table = sql.table(spec.table);
    const rowid = sql.id(root, ROWID_COLUMN);
    const inTier = (row: string) => {
      const match = this.match(row, spec, column, query);
      return subsets === null ? match : sql<boolean>`${match} AND ${tierCondition(row, spec, query, subsets)}`;
    };
    const probeRows = this.probeRows;
    return {
      from: sql`(SELECT * FROM ${table} AS ${sql.id('t')} WHERE ${inTier('t')}) AS ${sql.id(root)}`,
      rowid,
      page(conditions, descending, limit) {
        // docs/search.md §6.1: the newest rows first, in the rowid index's order (a tier of many
        // rows fills the page at once); only if they hold too few of the tier's rows, the older
        // ones through the GIN indexes (a tier of few rows), in the same statement and snapshot.
        const where = sql.join([inTier(root), ...conditions].map((x) => sql`(${x})`), sql` AND `);
        const window = probeRows(limit);
        const dir = descending ? sql`DESC` : sql`ASC`;
        const edge = descending ? sql`min` : sql`max`;
        const beyond = descending ? sql`<` : sql`>`;
        const newest = sql`SELECT ${sql.id(ROWID_COLUMN)} FROM ${table} ORDER BY ${sql.id(ROWID_COLUMN)} ${dir} LIMIT ${window}`;
        // NOTE: `+ 0` keeps the planner off the rowid index for the rest: the probe showed the
        // tier's rows are few there, which the GIN indexes find without reading every row.
        return sql<{ id: string }>`WITH probe AS MATERIALIZED (
            SELECT ${sql.id(root, 'id')} AS id, ${rowid} AS r FROM (SELECT * FROM ${table} ORDER BY ${sql.id(ROWID_COLUMN)} ${dir} LIMIT ${window}) AS ${sql.id(root)}
            WHERE ${where} ORDER BY ${rowid} ${dir} LIMIT ${limit})
          SELECT id FROM (
            SELECT id, r FROM probe
            UNION ALL
            SELECT id, r FROM (SELECT ${sql.id(root, 'id')} AS id, ${rowid} AS r FROM ${table} AS ${sql.id(root)}
              WHERE (SELECT count(*) FROM probe) < ${limit} AND ${rowid} ${beyond} (SELECT ${edge}(${sql.id(ROWID_COLUMN)}) FROM (${newest}) AS w) AND ${where}
              ORDER BY ${rowid} + 0 ${dir} LIMIT ${limit}) AS rest
          ) AS tier ORDER BY r ${dir} LIMIT ${limit}`;
      },
    };
  }
}

/**
 * The default of PostgresFullText's `probeRows`: a tier of at least 1 row in 1,000 fills its
 * page from the probe (measured: docs/search.md §6.2).
 */
function defaultProbeRows(limit: number): number {
  return Math.min(100_000, 1000 * limit);
}

function rowidIndex(spec: SearchIndexSpec): string {
  return `_search_${spec.key}_rowid`;
}

/**
 * The condition of a relevance tier: the search's include part matches in every column of
 * one of `subsets` and in none of the others (the same matches compileSearchRank weighs).
 */
function tierCondition(row: string, spec: SearchIndexSpec, query: SearchQuery, subsets: number[]): RawBuilder<boolean> {
  const include = { include: query.include, exclude: [] };
  const hits = spec.columns.map((c) => sql<boolean>`${vectorOf(row, c)} @@ ${tsquery(include)}`);
  const one = (mask: number) => sql`(${sql.join(hits.map((hit, i) => ((mask & (1 << i)) !== 0 ? hit : sql`NOT (${hit})`)), sql` AND `)})`;
  return sql<boolean>`(${sql.join(subsets.map(one), sql` OR `)})`;
}

function fieldVectorSql(quotedColumn: string): string {
  return `to_tsvector('english'::regconfig, coalesce(${quotedColumn}, ''))`;
}

function vectorOf(root: string, column: string | null): RawBuilder<unknown> {
  if (column === null) return sql`${sql.id(root, SEARCH_COLUMN)}`;
  return sql`to_tsvector('english'::regconfig, coalesce(${sql.id(root, column)}, ''))`;
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
