/**
 * The SQLite dialect (embedded mode): JSON through the json1 functions, LIKE
 * that is ASCII case-insensitive by default, and better-sqlite3's error codes.
 */
import { sql, type RawBuilder } from 'kysely';
import { badRequest, type AppError, type ErrorData } from '../../../errors/app-error.js';
import type { Executor } from '../../database.js';
import { DialectBase } from '../dialect-base.js';
import type { ColumnSpec } from '../dialect.js';
import { buildIndex, type ParsedIndex } from '../../../tools/index-parse.js';
import { BUDGET_FUNCTION } from '../../sqlite-query-budget.js';
import { codeError } from '../../../errors/code-error.js';
import { SqliteFullText } from './sqlite-full-text.js';

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** SqliteDialect writes SQL for SQLite ≥ 3.38 (json1 and math functions built in). */
export class SqliteDialect extends DialectBase {
  readonly fullText = new SqliteFullText((name) => this.quoteId(name));

  columnDefinition(spec: ColumnSpec): string {
    if (spec.primaryKey) return `TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL`;
    switch (spec.kind) {
      case 'text':
        return `TEXT DEFAULT ${this.quoteLiteral(textDefault(spec.defaultValue))} NOT NULL`;
      case 'number': {
        const n = Number(spec.defaultValue ?? 0);
        return `NUMERIC DEFAULT ${Number.isFinite(n) ? String(n) : '0'} NOT NULL`;
      }
      case 'bool':
        return `BOOLEAN DEFAULT ${spec.defaultValue === true || spec.defaultValue === 1 ? 'TRUE' : 'FALSE'} NOT NULL`;
      case 'json': {
        if (spec.defaultValue === null || spec.defaultValue === undefined) return 'JSON DEFAULT NULL';
        const text = typeof spec.defaultValue === 'string' ? spec.defaultValue : JSON.stringify(spec.defaultValue);
        return `JSON DEFAULT ${this.quoteLiteral(text)} NOT NULL`;
      }
    }
  }

  override indexDefinition(index: ParsedIndex, table: string): string {
    // NOTE: backticks, not double quotes: SQLite reads a double-quoted unknown
    // column as a string literal, which would index a constant instead of failing.
    return buildIndex(index, table);
  }

  async tableColumns(exec: Executor, name: string): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${name}) ORDER BY cid`.execute(exec);
    return rows.map((r) => r.name);
  }

  isUniqueViolation(err: unknown): boolean {
    return typeof err === 'object' && err !== null && UNIQUE_CODES.has(String((err as { code?: unknown }).code));
  }

  lockRows(): RawBuilder<unknown> {
    return sql``;
  }

  skipLockedRows(): RawBuilder<unknown> {
    return sql``;
  }

  sequenceColumn(): string {
    // NOTE: AUTOINCREMENT, so a deleted highest number is never handed out again: job
    // order (docs/jobs.md §3) compares these numbers.
    return 'INTEGER PRIMARY KEY AUTOINCREMENT';
  }

  translateError(err: unknown, message?: string): AppError | null {
    if (!this.isUniqueViolation(err)) return null;
    // better-sqlite3 says `UNIQUE constraint failed: posts.title, posts.slug`; an
    // expression index names no column, and then no field gets the error.
    const text = String((err as { message?: unknown }).message ?? '');
    const list = /constraint failed: (.*)$/.exec(text)?.[1] ?? '';
    const data: ErrorData = {};
    for (const item of list.split(',')) {
      const m = /^\s*[^.\s]+\.(\w+)\s*$/.exec(item);
      if (m) data[m[1]!] = codeError('validation_not_unique');
    }
    return badRequest(message, data, err);
  }

  override rowBudget(row: RawBuilder<unknown>): RawBuilder<boolean> {
    // SECURITY: a filter may join rows to rows to rows (back-relations, multi-relations,
    // @collection), n³ row visits for n rows; the call on each visit is what lets the
    // statement be stopped (db/sqlite-query-budget.ts). ~0.5 µs a row.
    return sql<boolean>`${sql.raw(BUDGET_FUNCTION)}(${row})`;
  }

  override scanBudget(alias: string): RawBuilder<boolean> {
    // NOTE: calling into JavaScript costs ~0.5 µs, 3× a simple row of a scan; the rowid
    // test costs a few ns and calls it once per 1024 rows, which still stops a scan of a
    // large table in time (each row of a scan is read once, so rowids do not repeat).
    const rowid = sql`${sql.id(alias, '_rowid_')}`;
    return sql<boolean>`((${rowid} & 1023) <> 0 OR ${sql.raw(BUDGET_FUNCTION)}(${rowid}))`;
  }

  jsonArrayContains(arrayExpr: RawBuilder<unknown>, value: RawBuilder<unknown>): RawBuilder<boolean> {
    return sql<boolean>`EXISTS (SELECT 1 FROM ${this.jsonEach(arrayExpr)} AS __jac WHERE __jac.value = ${value})`;
  }

  jsonEach(x: RawBuilder<unknown>): RawBuilder<unknown> {
    // NOTE: a plain string (a single select/relation value) becomes a one-item
    // array instead of an error, as in PocketBase's dbutils.JSONEach.
    return sql`json_each(CASE WHEN iif(json_valid(${x}), json_type(${x}) = 'array', FALSE) THEN ${x} ELSE json_array(${x}) END)`;
  }

  jsonArrayLength(x: RawBuilder<unknown>): RawBuilder<number> {
    return sql<number>`json_array_length(CASE WHEN (${x} = '' OR ${x} IS NULL) THEN '[]' WHEN json_valid(${x}) THEN ${x} ELSE json_array(${x}) END)`;
  }

  jsonExtract(x: RawBuilder<unknown>, path: ReadonlyArray<string | number>): RawBuilder<unknown> {
    let suffix = '';
    for (const p of path) suffix += typeof p === 'number' ? `[${p}]` : `.${p}`;
    // SECURITY: the path comes from the filter text, so it is bound, never spliced.
    // Non-JSON text is wrapped in an object so a path over it yields NULL, not an error.
    return sql`(CASE WHEN json_valid(${x}) THEN json_extract(${x}, ${'$' + suffix}) ELSE json_extract(json_object('pb', ${x}), ${'$.pb' + suffix}) END)`;
  }

  likeInsensitive(left: RawBuilder<unknown>, pattern: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean> {
    return negate ? sql<boolean>`${left} NOT LIKE ${pattern} ESCAPE '\\'` : sql<boolean>`${left} LIKE ${pattern} ESCAPE '\\'`;
  }

  isDistinct(left: RawBuilder<unknown>, right: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean> {
    return negate ? sql<boolean>`${left} IS NOT ${right}` : sql<boolean>`${left} IS ${right}`;
  }

  random(): RawBuilder<unknown> {
    return sql`RANDOM()`;
  }

  rowId(alias: string): RawBuilder<unknown> {
    return sql`${sql.id(alias, '_rowid_')}`;
  }

  strftime(format: RawBuilder<unknown>, time: RawBuilder<unknown> | null, modifiers: RawBuilder<unknown>[]): RawBuilder<unknown> {
    const args = time === null ? [format] : [format, time, ...modifiers];
    return sql`strftime(${sql.join(args)})`;
  }
}

function textDefault(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}
