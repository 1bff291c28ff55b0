/**
 * Full-text search on PostgreSQL (docs/search.md §4.2): a generated `tsvector` column over
 * every searchable field with a GIN index, and a GIN expression index per field for
 * `search(field, …)`, all in the `english` configuration. The engine keeps them in step
 * with every write; nothing is left to fill after the schema change.
 */
import { sql, type RawBuilder } from 'kysely';
import type { SearchQuery, SearchTerm } from '../../../core/search/search-query.js';
import type { Executor } from '../../database.js';
import type { FullText, SearchIndexSpec } from '../full-text.js';

/** The generated column that holds the words of every searchable field. */
export const SEARCH_COLUMN = '__search';

/** PostgresFullText keeps a generated tsvector column and GIN indexes. */
export class PostgresFullText implements FullText {
  constructor(private readonly quoteId: (name: string) => string) {}

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
  }

  async drop(trx: Executor, spec: SearchIndexSpec): Promise<void> {
    // Dropping the column drops its index; the expression indexes go by name.
    for (const i of spec.columns.keys()) await sql.raw(`DROP INDEX IF EXISTS ${this.quoteId(`_search_${spec.key}_${i}`)}`).execute(trx);
    await sql.raw(`ALTER TABLE ${this.quoteId(spec.table)} DROP COLUMN IF EXISTS ${this.quoteId(SEARCH_COLUMN)}`).execute(trx);
  }

  async backfill(): Promise<number> {
    return 0;
  }

  match(root: string, _spec: SearchIndexSpec, column: string | null, query: SearchQuery): RawBuilder<boolean> {
    return sql<boolean>`${vectorOf(root, column)} @@ ${tsquery(query)}`;
  }
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
