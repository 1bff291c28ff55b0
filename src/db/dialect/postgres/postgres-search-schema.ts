/**
 * What a searchable collection's table holds on PostgreSQL (docs/search.md §4.2): a stored
 * `tsvector` per searchable field (`__search_0`, `__search_1`, …: what a row is matched and
 * ranked on), and one GIN index of the prefix entries of every field's words, which a search
 * is found through. Also the upgrade of a table made by an earlier version.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../database.js';
import type { SearchIndexSpec } from '../full-text.js';
import { ROWID_COLUMN } from './postgres-rowid.js';

/** Every column of the search index starts so: none is a field, none is archived. */
export const SEARCH_COLUMN_PREFIX = '__search';
/** The longest prefix entry, in characters: a longer word is found by its first 8 and matched whole on the row. */
export const PREFIX_LENGTH = 8;

/** The stored vector of the i-th searchable field. */
export function fieldColumn(i: number): string {
  return `${SEARCH_COLUMN_PREFIX}_${i}`;
}

/** Whether a column is part of the search index (never a record field). */
export function isSearchColumn(name: string): boolean {
  return name.startsWith(SEARCH_COLUMN_PREFIX);
}

/**
 * The prefix entries of a row, which the GIN index holds (an expression index: they are
 * never stored in the table): for every word of field i, `^i:` and each of its first 2 to 8
 * characters (a word of one character: itself). A search word of 2 to 8 characters is then one
 * exact entry of the GIN index, which PostgreSQL intersects without reading every row of each
 * word (a `word:*` prefix query reads them all: 170 ms for `recycled cotton shirt` over
 * 1,000,000 rows, docs/search.md §6.3). NOTE: the name carries a version: an index holds what
 * this function gave when the row was written, so its body never changes under that name.
 */
export const PREFIXES_FUNCTION = 'plinth_search_prefixes_v1';
/**
 * The index query of search terms over `fields`: every word of every term, as its entry
 * (first 8 characters of its lexeme) in one of the fields. A superset of the rows that match
 * (the row's own vectors decide); built from the words' lexemes in SQL, never parsed as
 * tsquery syntax from user text (words are letters and digits, quoted by quote_literal).
 */
export const ENTRIES_FUNCTION = 'plinth_search_entries_v1';

const FUNCTIONS = [
  `CREATE FUNCTION ${PREFIXES_FUNCTION}(vectors tsvector[]) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT pg_catalog.array_to_tsvector(ARRAY(
      SELECT '^' || (f.i - 1) || ':' || pg_catalog.left(w, n)
      FROM pg_catalog.unnest(vectors) WITH ORDINALITY AS f(v, i)
        CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.tsvector_to_array(f.v)) AS w
        CROSS JOIN LATERAL pg_catalog.generate_series(LEAST(2, pg_catalog.length(w)), ${PREFIX_LENGTH}) AS n
      WHERE n <= pg_catalog.length(w)))
  $$`,
  `CREATE FUNCTION ${ENTRIES_FUNCTION}(terms text[], fields int[]) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT pg_catalog.tsquery(COALESCE(pg_catalog.string_agg('(' || x.alts || ')', ' & '), ''))
    FROM (
      SELECT (SELECT pg_catalog.string_agg(pg_catalog.quote_literal('^' || f || ':' || pg_catalog.left(l, ${PREFIX_LENGTH})), ' | ')
              FROM pg_catalog.unnest(fields) AS f) AS alts
      FROM pg_catalog.unnest(terms) AS t
        CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, t))) AS l
    ) AS x
  $$`,
];
const FUNCTION_NAMES = [PREFIXES_FUNCTION, ENTRIES_FUNCTION];

/**
 * Creates the search functions and the table of fills once per database. Under a
 * transaction-scoped advisory lock, so that two nodes creating their first searchable
 * collection at once do not collide.
 */
export async function ensureSearchFunctions(trx: Executor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${PREFIXES_FUNCTION}))`.execute(trx);
  const { rows } = await sql<{ name: string }>`SELECT proname AS name FROM pg_proc
    WHERE pronamespace = current_schema()::regnamespace AND proname = ANY(${FUNCTION_NAMES})`.execute(trx);
  const have = new Set(rows.map((r) => r.name));
  for (const [i, name] of FUNCTION_NAMES.entries()) if (!have.has(name)) await sql.raw(FUNCTIONS[i]!).execute(trx);
  await sql`CREATE TABLE IF NOT EXISTS ${sql.table(FILL_TABLE)} (key TEXT PRIMARY KEY, tbl TEXT NOT NULL, cols TEXT NOT NULL, start BIGINT NOT NULL, done BIGINT NOT NULL)`.execute(trx);
}

/**
 * The GIN index's expression: the prefix entries of the row's field vectors, qualified by
 * `root` in a query (null: in the index's own definition). The one place it is written, as
 * the planner uses the index only for a condition on this very expression.
 */
export function prefixEntries(spec: SearchIndexSpec, root: string | null): RawBuilder<unknown> {
  const vectors = spec.columns.map((_, i) => (root === null ? sql.id(fieldColumn(i)) : sql.id(root, fieldColumn(i))));
  return sql`${sql.raw(PREFIXES_FUNCTION)}(ARRAY[${sql.join(vectors)}])`;
}

/** The SQL of the i-th searchable field's words. */
export function fieldVectorSql(quotedColumn: string): string {
  return `to_tsvector('english'::regconfig, coalesce(${quotedColumn}, ''))`;
}

/** The table of the fills still to run (docs/search.md §4.2): one row per index, until it is filled. */
export const FILL_TABLE = '_plinth_search_fill';
/** The index of `spec` is filled in the schema transaction when its table has this many rows or fewer. */
export const SYNC_FILL_ROWS = 5000;

/** Whether FILL_TABLE exists (it is created with the first searchable collection). */
export async function hasFillTable(exec: Executor): Promise<boolean> {
  const { rows } = await sql<{ t: string | null }>`SELECT to_regclass(${FILL_TABLE})::text AS t`.execute(exec);
  return rows[0]?.t != null;
}

/** The name of the trigger (and of its function) that keeps the field vectors of index `key`. */
export function vectorsTrigger(key: string): string {
  return `_search_${key}_vectors`;
}

/** The GIN index of index `key`, and the btree index on `_rowid_`. */
export function searchIndexNames(key: string): { gin: string; rowid: string } {
  return { gin: `_search_${key}`, rowid: `_search_${key}_rowid` };
}

/** The vector column of each of `columns` and its value computed from the row (`row`: the row's qualifier, with its dot). */
function fieldVectors(columns: string[], q: (name: string) => string, row: string): { target: string; value: string }[] {
  return columns.map((c, i) => ({ target: q(fieldColumn(i)), value: fieldVectorSql(`${row}${q(c)}`) }));
}

/** `"__search_0" = to_tsvector(…"field"…), …`: the SET list that computes the field vectors of `columns`. */
export function vectorAssignments(columns: string[], q: (name: string) => string): string {
  return fieldVectors(columns, q, '').map((v) => `${v.target} = ${v.value}`).join(', ');
}

/** The GIN index of `spec`'s prefix entries: `CREATE INDEX [CONCURRENTLY] … USING GIN`. */
export function ginIndexStatement(spec: SearchIndexSpec, concurrently: boolean): RawBuilder<unknown> {
  const how = concurrently ? sql`CONCURRENTLY ` : sql``;
  return sql`CREATE INDEX ${how}${sql.id(searchIndexNames(spec.key).gin)} ON ${sql.table(spec.table)} USING GIN ((${prefixEntries(spec, null)}))`;
}

/** The btree index of `spec`'s table on `_rowid_`: insertion order, which a relevance tier and a fill read in. */
export function rowidIndexStatement(spec: SearchIndexSpec, concurrently: boolean): RawBuilder<unknown> {
  const how = concurrently ? sql`CONCURRENTLY ` : sql``;
  return sql`CREATE INDEX ${how}IF NOT EXISTS ${sql.id(searchIndexNames(spec.key).rowid)} ON ${sql.table(spec.table)} (${sql.id(ROWID_COLUMN)})`;
}

/** The trigger function that computes the field vectors of `spec` from the row being written (created or replaced). */
function vectorsFunction(spec: SearchIndexSpec, q: (name: string) => string): RawBuilder<unknown> {
  const assign = fieldVectors(spec.columns, q, 'NEW.').map((v) => `NEW.${v.target} := ${v.value};`).join(' ');
  return sql.raw(`CREATE OR REPLACE FUNCTION ${q(vectorsTrigger(spec.key))}() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ${assign} RETURN NEW; END $fn$`);
}

/**
 * Carries the index of `from` over to `to`, its table and fields renamed (docs/search.md §4.2),
 * after the renames: the vectors, the indexes and the trigger's column list follow the
 * renames (PostgreSQL keeps them by column number); the trigger function, which names the
 * fields, is replaced, and a fill still to run is pointed at the new names. False for a
 * table without the trigger (the generated columns of December 7), which is rebuilt.
 */
export async function renameSearchIndex(trx: Executor, from: SearchIndexSpec, to: SearchIndexSpec, q: (name: string) => string): Promise<boolean> {
  if (from.key !== to.key) return false;
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ${to.table} AND t.tgname = ${vectorsTrigger(from.key)}`.execute(trx);
  if (!rows[0]?.n) return false;
  await vectorsFunction(to, q).execute(trx);
  if (await hasFillTable(trx)) {
    await sql`UPDATE ${sql.table(FILL_TABLE)} SET tbl = ${to.table}, cols = ${JSON.stringify(to.columns)} WHERE key = ${to.key}`.execute(trx);
  }
  return true;
}

/**
 * Adds the search index of `spec` to its table, inside the schema transaction (docs/search.md
 * §4.2): the field vectors as plain columns, kept by a trigger on every insert and on every
 * update of the fields. A table of up to `syncRows` rows is filled and indexed here; a larger
 * one gets a row in FILL_TABLE, and the fill loop builds its indexes `CONCURRENTLY` and fills
 * its vectors in batches (postgres-search-fill.ts), so the change holds the table only for
 * the moment the columns are added (no rewrite: they start empty).
 */
export async function createSearchIndex(trx: Executor, spec: SearchIndexSpec, q: (name: string) => string, syncRows = SYNC_FILL_ROWS): Promise<void> {
  await ensureSearchFunctions(trx);
  const table = q(spec.table);
  await sql.raw(`ALTER TABLE ${table} ${spec.columns.map((_, i) => `ADD COLUMN ${q(fieldColumn(i))} tsvector`).join(', ')}`).execute(trx);
  // NOTE: a trigger, not generated columns: adding a generated column rewrites the table
  // under its lock (20 s for 1,000,000 rows, during which reads and writes wait).
  const name = q(vectorsTrigger(spec.key));
  await vectorsFunction(spec, q).execute(trx);
  await sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT OR UPDATE OF ${spec.columns.map(q).join(', ')} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`).execute(trx);
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${sql.table(spec.table)} LIMIT ${syncRows + 1}) AS x`.execute(trx);
  const existing = rows[0]?.n ?? 0;
  if (existing > syncRows) {
    // Rows inserted from now on get their vectors from the trigger; the fill covers those up to `start`.
    await sql`INSERT INTO ${sql.table(FILL_TABLE)} (key, tbl, cols, start, done)
      VALUES (${spec.key}, ${spec.table}, ${JSON.stringify(spec.columns)},
        coalesce(pg_sequence_last_value(pg_get_serial_sequence(${table}, ${ROWID_COLUMN})::regclass),
          (SELECT max(${sql.ref(ROWID_COLUMN)}) FROM ${sql.table(spec.table)}), 0), 0)
      ON CONFLICT (key) DO UPDATE SET tbl = excluded.tbl, cols = excluded.cols, start = excluded.start, done = 0`.execute(trx);
    return;
  }
  if (existing > 0) await sql.raw(`UPDATE ${table} SET ${vectorAssignments(spec.columns, q)}`).execute(trx);
  // NOTE: an expression index, not a stored column: the entries are about three times the
  // fields' vectors, and stored they doubled the table (and the cost of reading it).
  await ginIndexStatement(spec, false).execute(trx);
  await rowidIndexStatement(spec, false).execute(trx);
}

/**
 * Drops every search column, index and trigger of a table, of this layout or an earlier one
 * (before its table or searchable fields change), and its fill if one is still to run.
 * Dropping a column drops the indexes on it; the earlier layout's expression indexes and the
 * rowid index go by name.
 */
export async function dropSearchIndex(trx: Executor, spec: SearchIndexSpec, q: (name: string) => string): Promise<void> {
  const { rows: indexes } = await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = ${spec.table} AND starts_with(indexname, ${`_search_${spec.key}`})`.execute(trx);
  for (const { name } of indexes) await sql.raw(`DROP INDEX IF EXISTS ${q(name)}`).execute(trx);
  // CASCADE: with the function goes the trigger that calls it.
  await sql.raw(`DROP FUNCTION IF EXISTS ${q(vectorsTrigger(spec.key))}() CASCADE`).execute(trx);
  if (await hasFillTable(trx)) await sql`DELETE FROM ${sql.table(FILL_TABLE)} WHERE key = ${spec.key}`.execute(trx);
  const { rows: columns } = await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${spec.table} AND starts_with(column_name, ${SEARCH_COLUMN_PREFIX})`.execute(trx);
  if (columns.length > 0) await sql.raw(`ALTER TABLE ${q(spec.table)} ${columns.map((c) => `DROP COLUMN IF EXISTS ${q(c.name)}`).join(', ')}`).execute(trx);
}

/**
 * Brings one searchable table made by an earlier version up to this layout (docs/search.md
 * §4.2): a table whose index is the former `__search` column (every field's words, with GIN
 * expression indexes per field) gets this one instead, its searchable fields read from those
 * expression indexes; a table without the rowid index gets it. One table a call, in one
 * transaction; returns how many it changed (0: none left).
 */
export async function upgradeSearchIndex(db: Executor, q: (name: string) => string): Promise<number> {
  const { rows: old } = await sql<{ tbl: string; idx: string; col: string }>`
    SELECT c.relname AS tbl, ix.relname AS idx, a.attname AS col
    FROM pg_class AS c
      JOIN pg_index AS i ON i.indrelid = c.oid JOIN pg_class AS ix ON ix.oid = i.indexrelid
      JOIN pg_depend AS d ON d.classid = 'pg_class'::regclass AND d.objid = ix.oid AND d.refobjid = c.oid AND d.refobjsubid > 0
      JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
    WHERE c.relnamespace = current_schema()::regnamespace AND starts_with(ix.relname, '_search_')
      AND EXISTS (SELECT 1 FROM pg_attribute AS s WHERE s.attrelid = c.oid AND s.attname = '__search' AND NOT s.attisdropped)
      AND c.relname = (SELECT min(o.relname) FROM pg_class AS o JOIN pg_attribute AS s ON s.attrelid = o.oid
        WHERE o.relnamespace = current_schema()::regnamespace AND o.relkind IN ('r', 'p') AND s.attname = '__search' AND NOT s.attisdropped)`.execute(db);
  if (old.length > 0) {
    const table = old[0]!.tbl;
    // The former per-field indexes are named `_search_<key>_<i>`, i the field's place.
    const fields = old
      .map((r) => ({ at: r.idx.slice(r.idx.lastIndexOf('_') + 1), key: r.idx.slice('_search_'.length, r.idx.lastIndexOf('_')), col: r.col }))
      .filter((r) => r.at !== '' && [...r.at].every((c) => c >= '0' && c <= '9') && r.col !== '__search')
      .sort((a, b) => Number(a.at) - Number(b.at));
    const key = fields[0]?.key;
    if (key === undefined) throw new Error(`search index of table "${table}": its fields are not found`);
    const spec = { key, table, columns: fields.map((f) => f.col) };
    const rebuild = async (trx: Executor) => {
      await dropSearchIndex(trx, spec, q);
      await createSearchIndex(trx, spec, q);
    };
    await (db.isTransaction ? rebuild(db) : db.transaction().execute(rebuild));
    return 1;
  }
  const { rows } = await sql<{ tbl: string; name: string }>`SELECT i.tablename AS tbl, i.indexname AS name FROM pg_indexes AS i
    WHERE i.schemaname = current_schema() AND starts_with(i.indexname, '_search_') AND i.indexdef LIKE ${`%USING gin (${PREFIXES_FUNCTION}(%`}
      AND NOT EXISTS (SELECT 1 FROM pg_indexes AS r WHERE r.schemaname = i.schemaname AND r.indexname = i.indexname || '_rowid')
    ORDER BY i.indexname LIMIT 1`.execute(db);
  const missing = rows[0];
  if (!missing) return 0;
  await rowidIndexStatement({ key: missing.name.slice('_search_'.length), table: missing.tbl, columns: [] }, false).execute(db);
  return 1;
}
