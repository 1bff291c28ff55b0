/**
 * Defaults shared by every Dialect: SQL that PostgreSQL and SQLite both accept.
 * A concrete dialect overrides what differs.
 */
import { sql, type RawBuilder } from 'kysely';
import type { AppError } from '../../errors/app-error.js';
import type { Executor } from '../database.js';
import type { ColumnSpec, Dialect, ValueKind } from './dialect.js';
import type { ParsedIndex } from '../../tools/index-parse.js';
import type { ColumnKind } from '../../core/fields/field-type.js';
import type { FullText } from './full-text.js';

/** DialectBase gives the standard-SQL members of a Dialect. */
export abstract class DialectBase implements Dialect {
  abstract readonly fullText: FullText;
  abstract columnDefinition(spec: ColumnSpec): string;
  abstract tableColumns(exec: Executor, name: string): Promise<string[]>;
  abstract translateError(err: unknown, message?: string): AppError | null;
  abstract lockRows(): RawBuilder<unknown>;
  abstract skipLockedRows(): RawBuilder<unknown>;
  abstract sequenceColumn(): string;
  abstract isUniqueViolation(err: unknown): boolean;
  abstract jsonArrayContains(arrayExpr: RawBuilder<unknown>, value: RawBuilder<unknown>): RawBuilder<boolean>;
  abstract jsonEach(arrayExpr: RawBuilder<unknown>): RawBuilder<unknown>;
  abstract jsonArrayLength(expr: RawBuilder<unknown>): RawBuilder<number>;
  abstract jsonExtract(expr: RawBuilder<unknown>, path: ReadonlyArray<string | number>): RawBuilder<unknown>;
  abstract likeInsensitive(left: RawBuilder<unknown>, pattern: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean>;
  abstract isDistinct(left: RawBuilder<unknown>, right: RawBuilder<unknown>, negate: boolean): RawBuilder<boolean>;
  abstract random(): RawBuilder<unknown>;
  abstract rowId(alias: string): RawBuilder<unknown>;
  abstract strftime(format: RawBuilder<unknown>, time: RawBuilder<unknown> | null, modifiers: RawBuilder<unknown>[]): RawBuilder<unknown>;

  /** None: the engine bounds statements itself. */
  rowBudget(_row: RawBuilder<unknown>): RawBuilder<boolean> | null {
    return null;
  }

  /** None: the engine bounds statements itself. */
  scanBudget(_alias: string): RawBuilder<boolean> | null {
    return null;
  }

  /** Nothing to lift: schema statements never check the budget. */
  async liftQueryTimeout(_trx: Executor): Promise<void> {}

  /** No hidden columns: the engine numbers rows itself. */
  hiddenColumns(): string[] {
    return [];
  }

  /** Renders an index with double-quoted identifiers; `indexColumn` writes each column. */
  indexDefinition(index: ParsedIndex, table: string): string {
    const cols = index.columns.map((c) => this.indexColumn(c.name, c.collate, c.sort)).join(', ');
    let text = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${index.ifNotExists ? 'IF NOT EXISTS ' : ''}`;
    text += `${this.quoteId(index.name)} ON ${this.quoteId(table)} (${cols})`;
    if (index.where !== '') text += ` WHERE ${index.where}`;
    return text;
  }

  /** One indexed column with its collation and direction. */
  protected indexColumn(name: string, collate: string | undefined, sort: string | undefined): string {
    return `${this.quoteId(name)}${collate ? ` COLLATE ${collate}` : ''}${sort ? ` ${sort}` : ''}`;
  }

  booleanValue(value: boolean): RawBuilder<unknown> {
    return sql.raw(value ? '1' : '0');
  }

  typedValue(value: unknown, _kind: ColumnKind): RawBuilder<unknown> {
    return sql`${value}`;
  }

  comparable(left: RawBuilder<unknown>, right: RawBuilder<unknown>): [RawBuilder<unknown>, RawBuilder<unknown>] {
    return [left, right];
  }

  coalesceEmpty(left: RawBuilder<unknown>, right: RawBuilder<unknown>): [RawBuilder<unknown>, RawBuilder<unknown>] {
    return [sql`COALESCE(${left}, '')`, sql`COALESCE(${right}, '')`];
  }

  asText(expr: RawBuilder<unknown>, _kind?: ValueKind): RawBuilder<unknown> {
    return expr;
  }

  orderBy(expr: RawBuilder<unknown>, desc: boolean, _kind?: ValueKind): RawBuilder<unknown> {
    return desc ? sql`${expr} DESC` : sql`${expr} ASC`;
  }

  orderKeys(expr: RawBuilder<unknown>, _kind?: ValueKind): RawBuilder<unknown>[] {
    return [expr];
  }

  /** Double-quotes an identifier, doubling embedded quotes (standard SQL). */
  quoteId(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  param(value: unknown): RawBuilder<unknown> {
    if (value === undefined) return sql`${null}`;
    if (typeof value === 'boolean') return sql`${value ? 1 : 0}`;
    return sql`${value}`;
  }

  insertionOrder(alias: string, descending = false): RawBuilder<unknown> {
    return descending ? sql`${this.rowId(alias)} DESC` : sql`${this.rowId(alias)} ASC`;
  }

  lower(expr: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`LOWER(${expr})`;
  }

  geoDistance(
    lonA: RawBuilder<unknown>, latA: RawBuilder<unknown>, lonB: RawBuilder<unknown>, latB: RawBuilder<unknown>,
  ): RawBuilder<number> {
    // Haversine in the spherical-law-of-cosines form PocketBase uses; 6371 km = mean earth radius.
    // NOTE: rounding can put the cosine a hair outside [-1, 1] (identical points give
    // 1.0000000000000002): SQLite's acos then answers NULL and PostgreSQL's raises an
    // error, so the argument is clamped and identical points are 0 km apart on both.
    const cosine = sql`cos(radians(${latA})) * cos(radians(${latB})) * cos(radians(${lonB}) - radians(${lonA})) + sin(radians(${latA})) * sin(radians(${latB}))`;
    return sql<number>`(6371 * acos(${this.clampUnit(cosine)}))`;
  }

  sumDouble(expr: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`SUM(CAST(${expr} AS DOUBLE PRECISION))`;
  }

  avgDouble(expr: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`AVG(CAST(${expr} AS DOUBLE PRECISION))`;
  }

  /** Clamps a number expression to [-1, 1]. */
  protected clampUnit(x: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`max(-1.0, min(1.0, ${x}))`;
  }

  /** Quotes a literal string for DDL (standard SQL: single quotes, doubled). */
  protected quoteLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }
}
