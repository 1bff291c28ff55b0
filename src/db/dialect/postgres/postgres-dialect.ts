/**
 * The PostgreSQL dialect (scaled-out mode, `DATABASE_URL`). It reproduces the
 * SQLite behaviour the API is specified against: JSON kept as text and read
 * through `::jsonb` casts guarded so that non-JSON text never raises, text
 * compared byte-wise (`COLLATE "C"`, like SQLite's BINARY), NULLs sorted first,
 * a hidden `_rowid_` column for insertion order, and unique violations reported
 * per column.
 */
import { sql, type RawBuilder } from 'kysely';
import { badRequest, type AppError, type ErrorData } from '../../../errors/app-error.js';
import type { Executor } from '../../database.js';
import { DialectBase } from '../dialect-base.js';
import type { ColumnSpec, ValueKind } from '../dialect.js';
import type { ParsedIndex } from '../../../tools/index-parse.js';
import { boundValue, pgStrftime } from './postgres-strftime.js';
import { coalescedPair, comparablePair, dynamicOrder, jsonRanks, NUMERIC_TEXT } from './postgres-compare.js';
import { FilterError } from '../../../filter/filter-error.js';
import { queryTimeout } from '../../../errors/query-timeout.js';
import type { ColumnKind } from '../../../core/fields/field-type.js';
import { codeError } from '../../../errors/code-error.js';
import { splitTopLevel } from '../../../tools/split-top-level.js';

/** SQLSTATE of a unique violation. */
const UNIQUE_VIOLATION = '23505';
/** SQLSTATE of a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';
/** SQLSTATE of "invalid byte sequence" (a U+0000 in text). */
const NUL_IN_TEXT = '22021';
/** The hidden insertion-order column every collection table gets (PostgreSQL has no rowid). */
export const ROWID_COLUMN = '_rowid_';

// NOTE: these regular expressions decide, without raising, whether text is JSON of
// some kind; PostgreSQL < 16 has no pg_input_is_valid. Plinth writes only valid
// JSON into json columns, so "starts like JSON" is enough to pick the branch.
const JSON_ARRAY = `'^\\s*\\['`;
const JSON_OTHER = `'^\\s*([{"]|-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\s*$|(true|false|null)\\s*$)'`;

/** PostgresDialect writes SQL for PostgreSQL ≥ 14 and pg-wire engines that support the same features. */
export class PostgresDialect extends DialectBase {

  columnDefinition(spec: ColumnSpec): string {
    // NOTE: COLLATE "C" compares and sorts text byte-wise, as SQLite's BINARY does,
    // whatever the database's locale.
    if (spec.primaryKey) {
      return `TEXT COLLATE "C" PRIMARY KEY DEFAULT ('r' || substr(md5(random()::text), 1, 14)) NOT NULL`;
    }
    switch (spec.kind) {
      case 'text':
        return `TEXT COLLATE "C" DEFAULT ${this.quoteLiteral(textDefault(spec.defaultValue))} NOT NULL`;
      case 'number': {
        const n = Number(spec.defaultValue ?? 0);
        return `DOUBLE PRECISION DEFAULT ${Number.isFinite(n) ? String(n) : '0'} NOT NULL`;
      }
      case 'bool':
        return `BOOLEAN DEFAULT ${spec.defaultValue === true || spec.defaultValue === 1 ? 'TRUE' : 'FALSE'} NOT NULL`;
      case 'json': {
        // NOTE: JSON is stored as TEXT, not JSONB: values keep their exact text (key
        // order, number spelling) as in SQLite, and equality stays text equality.
        if (spec.defaultValue === null || spec.defaultValue === undefined) return 'TEXT COLLATE "C" DEFAULT NULL';
        const text = typeof spec.defaultValue === 'string' ? spec.defaultValue : JSON.stringify(spec.defaultValue);
        return `TEXT COLLATE "C" DEFAULT ${this.quoteLiteral(text)} NOT NULL`;
      }
    }
  }

  override hiddenColumns(): string[] {
    return [`${this.quoteId(ROWID_COLUMN)} BIGSERIAL`];
  }

  async tableColumns(exec: Executor, name: string): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${name} AND column_name <> ${ROWID_COLUMN}
      ORDER BY ordinal_position`.execute(exec);
    return rows.map((r) => r.name);
  }

  isUniqueViolation(err: unknown): boolean {
    return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === UNIQUE_VIOLATION;
  }

  lockRows(): RawBuilder<unknown> {
    return sql` FOR UPDATE`;
  }

  skipLockedRows(): RawBuilder<unknown> {
    return sql` FOR UPDATE SKIP LOCKED`;
  }

  sequenceColumn(): string {
    return 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  }

  translateError(err: unknown, message?: string): AppError | null {
    // A text value with U+0000, which PostgreSQL text cannot store (SQLite can).
    if ((err as { code?: unknown } | null)?.code === NUL_IN_TEXT) return badRequest(message, {}, err);
    // The client's filter or sort asked for more than one statement may take (--queryTimeout).
    if ((err as { code?: unknown } | null)?.code === QUERY_CANCELED) return queryTimeout(err);
    if (!this.isUniqueViolation(err)) return null;
    // PostgreSQL says `Key (title, slug)=(a, b) already exists.`; a case-insensitive
    // index shows `lower(title)`, which still names its column. Other expressions
    // name no column, and then no field gets the error (as on SQLite).
    const detail = String((err as { detail?: unknown }).detail ?? '');
    const list = /^Key \((.*)\)=\(/s.exec(detail)?.[1] ?? '';
    const data: ErrorData = {};
    for (const item of splitTopLevel(list)) {
      const m = /^\s*(?:lower\()?"?(\w+)"?(?:::text)?\)?\s*$/i.exec(item);
      if (m) data[m[1]!] = codeError('validation_not_unique');
    }
    return badRequest(message, data, err);
  }

  override async liftQueryTimeout(trx: Executor): Promise<void> {
    // NOTE: LOCAL: the connection goes back to the pool with its own timeout at commit or rollback.
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
  }

  override indexDefinition(index: ParsedIndex, table: string): string {
    // Stored indexes are SQLite-flavoured (docs/api.md §2.1): backtick-quoted names in a
    // partial index's WHERE become standard double quotes.
    return super.indexDefinition({ ...index, where: index.where.replace(/`([^`]*)`/g, '"$1"') }, table);
  }

  protected override indexColumn(name: string, collate: string | undefined, sort: string | undefined): string {
    // NOTE: PostgreSQL has no NOCASE collation; an index on lower(col) gives the
    // same case-insensitive uniqueness. Other SQLite collations (BINARY, RTRIM) fall
    // back to the column's own byte-wise collation.
    const col = collate?.toUpperCase() === 'NOCASE' ? `lower(${this.quoteId(name)})` : this.quoteId(name);
    // NOTE: NULLs sit where orderBy() sorts them (SQLite's order: first ascending, last
    // descending). With PostgreSQL's default placement no ORDER BY could read an index in
    // order, in either direction, and every sorted list would sort all matching rows
    // (W7 of bench/: 175 ms instead of 0.2 ms for 20 of 100,000 rows).
    return sort === 'DESC' ? `${col} DESC NULLS LAST` : `${col} ASC NULLS FIRST`;
  }

  override booleanValue(value: boolean): RawBuilder<unknown> {
    // NOTE: an untyped literal takes the type of what it is compared with, so '1'
    // equals TRUE in a boolean column, 1 in a number column and '1' in a text one:
    // the three things SQLite's integer 1 equals.
    return sql.raw(value ? `'1'` : `'0'`);
  }

  override param(value: unknown): RawBuilder<unknown> {
    // NOTE: PostgreSQL text cannot hold U+0000; a filter value with one could never
    // match a stored value and would make the server raise, so it is a 400.
    if (typeof value === 'string' && value.includes('\u0000')) throw new FilterError('text values cannot contain U+0000 on PostgreSQL');
    return super.param(value);
  }

  override typedValue(value: unknown, kind: ColumnKind): RawBuilder<unknown> {
    switch (kind) {
      case 'number':
        return sql`CAST(${value} AS DOUBLE PRECISION)`;
      case 'bool':
        return sql`CAST(${value} AS BOOLEAN)`;
      default:
        return sql`CAST(${value} AS TEXT) COLLATE "C"`;
    }
  }

  override comparable(
    left: RawBuilder<unknown>, right: RawBuilder<unknown>, leftKind?: ValueKind, rightKind?: ValueKind,
  ): [RawBuilder<unknown>, RawBuilder<unknown>] {
    return comparablePair(left, right, leftKind, rightKind);
  }

  override coalesceEmpty(
    left: RawBuilder<unknown>, right: RawBuilder<unknown>, leftKind?: ValueKind, rightKind?: ValueKind,
  ): [RawBuilder<unknown>, RawBuilder<unknown>] {
    return coalescedPair(left, right, leftKind, rightKind);
  }

  override asText(expr: RawBuilder<unknown>, kind?: ValueKind): RawBuilder<unknown> {
    // SQLite stores booleans as 1/0, so that is their text; PostgreSQL would say true/false.
    return kind === 'bool' ? sql`CAST(CAST(${expr} AS INT) AS TEXT)` : sql`CAST(${expr} AS TEXT)`;
  }


  override orderBy(expr: RawBuilder<unknown>, desc: boolean, kind?: ValueKind): RawBuilder<unknown> {
    // SQLite sorts NULLs first ascending and last descending; PostgreSQL the opposite.
    const one = (e: RawBuilder<unknown>) => (desc ? sql`${e} DESC NULLS LAST` : sql`${e} ASC NULLS FIRST`);
    // A json value is text here; SQLite orders json_extract's numbers numerically, before text.
    return kind === 'json' ? dynamicOrder(expr, one) : one(expr);
  }


  jsonArrayContains(arrayExpr: RawBuilder<unknown>, value: RawBuilder<unknown>): RawBuilder<boolean> {
    return sql<boolean>`EXISTS (SELECT 1 FROM ${this.jsonEach(arrayExpr)} AS __jac WHERE __jac.value = CAST(${value} AS TEXT))`;
  }

  jsonEach(x: RawBuilder<unknown>): RawBuilder<unknown> {
    // NOTE: a plain string (a single select/relation value) becomes a one-item array,
    // as in PocketBase's dbutils.JSONEach; items come back as text like SQLite's
    // json_each `value` (strings unquoted).
    // LATERAL: the items read a column of an earlier FROM item; COLLATE "C": they compare
    // byte-wise like every other text (the database's own collation may be linguistic).
    const t = sql`CAST(${x} AS TEXT)`;
    const items = sql`jsonb_array_elements_text(CASE WHEN ${t} ~ ${sql.raw(JSON_ARRAY)} THEN CAST(${t} AS JSONB) ELSE jsonb_build_array(${t}) END)`;
    return sql`LATERAL (SELECT __je.value COLLATE "C" AS value FROM ${items} AS __je)`;
  }

  jsonArrayLength(x: RawBuilder<unknown>): RawBuilder<number> {
    const t = sql`CAST(${x} AS TEXT)`;
    // NOTE: as DOUBLE PRECISION, so that it compares with any number a filter binds (-1.5).
    return sql<number>`CAST(CASE WHEN ${t} IS NULL OR ${t} = '' THEN 0 WHEN ${t} ~ ${sql.raw(JSON_ARRAY)} THEN jsonb_array_length(CAST(${t} AS JSONB)) WHEN ${t} ~ ${sql.raw(JSON_OTHER)} THEN 0 ELSE 1 END AS DOUBLE PRECISION)`;
  }

  jsonExtract(x: RawBuilder<unknown>, path: ReadonlyArray<string | number>): RawBuilder<unknown> {
    const t = sql`CAST(${x} AS TEXT)`;
    // SECURITY: the path comes from the filter text, so it is bound, never spliced.
    const keys = path.map((p) => String(p));
    const value = keys.length === 0 ? sql`CAST(${t} AS JSONB)` : sql`(CAST(${t} AS JSONB) #> CAST(${keys} AS TEXT[]))`;
    // Non-JSON text yields itself for the whole value and NULL under a path, as in SQLite.
    const fallback = keys.length === 0 ? t : sql`NULL`;
    const isJson = sql`(${t} ~ ${sql.raw(JSON_ARRAY)} OR ${t} ~ ${sql.raw(JSON_OTHER)})`;
    const out = sql`((CASE WHEN ${isJson} THEN ${this.jsonScalar(value)} ELSE ${fallback} END) COLLATE "C")`;
    // The SQLite storage class of the result (1 number, 2 text), kept for comparisons and sorting.
    const rank = sql`(CASE WHEN ${out} IS NULL THEN NULL WHEN ${isJson} THEN (CASE jsonb_typeof(${value}) WHEN 'number' THEN 1 WHEN 'boolean' THEN 1 ELSE 2 END) ELSE 2 END)`;
    jsonRanks.set(out, rank);
    return out;
  }

  /** A jsonb value as SQLite's json_extract returns it: strings unquoted, booleans 1/0, null NULL. */
  private jsonScalar(v: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`(CASE jsonb_typeof(${v}) WHEN 'string' THEN ${v} #>> '{}' WHEN 'boolean' THEN (CASE WHEN ${v} = 'true'::jsonb THEN '1' ELSE '0' END) WHEN 'null' THEN NULL ELSE ${v} #>> '{}' END)`;
  }

  likeInsensitive(left: RawBuilder<unknown>, pattern: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean> {
    // NOTE: the C collation makes ILIKE fold ASCII letters only, as SQLite's LIKE does.
    // Both sides are text, as SQLite's LIKE makes them: a number (a column or geoDistance())
    // on either side would otherwise find no LIKE operator.
    const l = sql`CAST(${left} AS TEXT) COLLATE "C"`;
    const p = sql`CAST(${pattern} AS TEXT)`;
    return negate ? sql<boolean>`${l} NOT ILIKE ${p} ESCAPE '\\'` : sql<boolean>`${l} ILIKE ${p} ESCAPE '\\'`;
  }

  isDistinct(left: RawBuilder<unknown>, right: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean> {
    return negate ? sql<boolean>`${left} IS DISTINCT FROM ${right}` : sql<boolean>`${left} IS NOT DISTINCT FROM ${right}`;
  }

  random(): RawBuilder<unknown> {
    return sql`RANDOM()`;
  }

  rowId(alias: string): RawBuilder<unknown> {
    return sql`${sql.id(alias, ROWID_COLUMN)}`;
  }

  override lower(expr: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`LOWER(CAST(${expr} AS TEXT) COLLATE "C")`;
  }

  override geoDistance(
    lonA: RawBuilder<unknown>, latA: RawBuilder<unknown>, lonB: RawBuilder<unknown>, latB: RawBuilder<unknown>,
  ): RawBuilder<number> {
    return super.geoDistance(this.toNumber(lonA), this.toNumber(latA), this.toNumber(lonB), this.toNumber(latB));
  }

  protected override clampUnit(x: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`GREATEST(-1.0, LEAST(1.0, ${x}))`;
  }

  strftime(format: RawBuilder<unknown>, time: RawBuilder<unknown> | null, modifiers: RawBuilder<unknown>[]): RawBuilder<unknown> {
    return pgStrftime(boundValue(format), time, modifiers.map(boundValue));
  }

  /** A number from any value, NULL when its text is not a number (SQLite would use 0 only in arithmetic). */
  private toNumber(x: RawBuilder<unknown>): RawBuilder<unknown> {
    const t = sql`CAST(${x} AS TEXT)`;
    return sql`(CASE WHEN ${t} ~ ${sql.raw(NUMERIC_TEXT)} THEN CAST(${t} AS DOUBLE PRECISION) END)`;
  }
}


function textDefault(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}
