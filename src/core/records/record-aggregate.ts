/**
 * Aggregates under the list rule (docs/api.md §3.11): counts, sums, averages,
 * minimums and maximums of the records a requester may list, grouped by fields,
 * relation paths or `strftime(…)` of a date. The rows are chosen by the same conditions
 * a list applies (listRule, filter, query budget), all through the one rule compiler.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect, ValueKind } from '../../db/dialect/dialect.js';
import { badRequest, type AppError } from '../../errors/app-error.js';
import type { Operand } from '../../filter/ast.js';
import { parseFilterCached } from '../../filter/filter-cache.js';
import { isFilterError } from '../../filter/filter-error.js';
import { findField, type Collection, type Field } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { isMultipleField } from '../rules/field-resolver.js';
import type { CompileOptions, RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RecordAccess } from './record-access.js';
import { listConditions } from './record-list.js';
import { rootTable } from './record-store.js';

/** An aggregate function of the `aggregate` parameter. */
export type AggregateFunction = 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max';

/** One aggregate: `count()`, or a function of a field or relation path. */
export interface AggregateItem {
  fn: AggregateFunction;
  /** The field or path; null for `count()` (every row). */
  field: string | null;
  /** The key of the result in each item: `count`, `count_email`, `sum_total`, `max_customer.created`. */
  key: string;
}

/** One item of the `sort` parameter of an aggregate: an output key and a direction. */
export interface AggregateSortItem {
  key: string;
  desc: boolean;
}

/** The parameters of an aggregate request, parsed (see http/aggregate-params.ts). */
export interface AggregateQuery {
  /** Group keys as written: field names, relation paths, `strftime('%Y-%m', created)`. */
  groupBy: string[];
  aggregates: AggregateItem[];
  filter: string;
  sort: AggregateSortItem[];
  page: number;
  perPage: number;
}

/** One page of groups. */
export interface AggregatePage {
  page: number;
  perPage: number;
  items: Record<string, unknown>[];
}

/** What an aggregate needs. */
export interface AggregateDeps {
  access: RecordAccess;
  compiler: RuleCompiler;
  dialect: Dialect;
  schema: Schema;
}

/** How a value read from the database becomes JSON. */
type OutputType = 'number' | 'bool' | 'text' | 'rounded';

/** One output column: the value each row contributes and how the result is typed. */
interface Column {
  alias: string;
  key: string;
  value: RawBuilder<unknown>;
  output: OutputType;
  kind?: ValueKind;
}

const GROUPABLE = new Set(['text', 'email', 'url', 'editor', 'number', 'bool', 'select', 'relation', 'date', 'autodate']);
const ORDERED = new Set(['text', 'email', 'url', 'number', 'select', 'date', 'autodate']);
const DATES = new Set(['date', 'autodate']);
/** Fields `count(f)` takes: those whose emptiness is PocketBase's blank value (docs/api.md §3.11). */
const COUNTABLE = new Set([...GROUPABLE, 'file']);

/** Computes one page of groups of the records of `c` the request may list. */
export async function aggregateRecords(
  exec: Executor, deps: AggregateDeps, c: Collection, q: AggregateQuery, req: RequestInfo,
): Promise<AggregatePage> {
  const conditions = filterConditions(deps, c, q.filter, req);
  // SECURITY: grouping reads every matching row (and a relation path one more row each):
  // the query budget is checked on the scan even without a condition.
  const budget = c.type === 'view' ? null : deps.dialect.scanBudget('root');
  if (budget) conditions.unshift(budget);
  const opts: CompileOptions = { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter' };
  const groups = q.groupBy.map((text, i) => groupColumn(deps, opts, text, i));
  const values = q.aggregates.map((a, i) => aggregateColumn(deps, opts, a, i));
  const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions.map((x) => sql`(${x})`), sql` AND `)}` : sql``;
  const inner = [...groups, ...values].map((col) => sql`${col.value} AS ${sql.id(col.alias)}`);
  const rowsQuery = sql`SELECT ${inner.length > 0 ? sql.join(inner) : sql`1 AS __one`} FROM ${rootTable(c)} ${where}`;
  const selected = [...groups.map((g) => sql.id(g.alias)), ...values.map((v, i) => sql`${aggregateSql(deps.dialect, q.aggregates[i]!, v)} AS ${sql.id(v.alias)}`)];
  const groupBy = groups.length > 0 ? sql`GROUP BY ${sql.join(groups.map((g) => sql.id(g.alias)))}` : sql``;
  const order = orderBy(deps.dialect, q.sort, groups, values);
  const offset = (q.page - 1) * q.perPage;
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM (SELECT ${sql.join(selected)} FROM (${rowsQuery}) AS __rows ${groupBy}) AS __groups ${order} LIMIT ${q.perPage} OFFSET ${offset}`.execute(exec);
  const columns = [...groups, ...values];
  const items = rows.map((row) => Object.fromEntries(columns.map((col) => [col.key, toJson(row[col.alias], col.output)])));
  return { page: q.page, perPage: q.perPage, items };
}

/** The conditions of a list with this filter; a filter that does not compile is a 400 naming `filter`. */
function filterConditions(deps: AggregateDeps, c: Collection, filter: string, req: RequestInfo): RawBuilder<boolean>[] {
  try {
    return listConditions(deps, c, { filter, sort: '' }, req);
  } catch (err) {
    if (!isFilterError(err)) throw err;
    const message = `Invalid filter: ${err.reason}.`;
    throw badRequest(message, { filter: { code: 'validation_invalid_value', message } });
  }
}

/** A group key: a field or relation path, or `strftime(format, date)`. */
function groupColumn(deps: AggregateDeps, opts: CompileOptions, text: string, i: number): Column {
  const operand = parseGroupOperand(text);
  const fail = (message: string) => paramError('groupBy', `${message} (${JSON.stringify(text)}).`, 'validation_invalid_group_by');
  if (!operand) throw fail('A group key is a field, a relation path or strftime(format, field)');
  let output: OutputType = 'text';
  if (operand.kind === 'identifier') {
    const field = pathField(deps.schema, opts.collection, operand.name);
    if (!field) throw fail('Unknown field');
    if (!GROUPABLE.has(field.type) || isMultipleField(field)) throw fail('This field cannot be grouped by');
    output = outputOf(field);
  } else {
    // The engines read other values differently (a nested strftime, a number, text): only a
    // date field reads the same on both (docs/api.md §3.11).
    const time = operand.kind === 'function' ? operand.args[1] : undefined;
    // Nor may it read `@request.` or `@collection.` (a filter of a non-superuser may not either).
    const field = time?.kind === 'identifier' ? pathField(deps.schema, opts.collection, time.name) : undefined;
    if (!field || !DATES.has(field.type)) throw fail('strftime reads a date or autodate field');
  }
  const compiled = compileOrFail(deps, operand, opts, fail);
  return { alias: `g${i}`, key: text, value: compiled.expr, output, kind: compiled.kind };
}

/** The value an aggregate reads from each row (nothing for `count()`). */
function aggregateColumn(deps: AggregateDeps, opts: CompileOptions, a: AggregateItem, i: number): Column {
  const alias = `a${i}`;
  if (a.field === null) return { alias, key: a.key, value: sql`1`, output: 'number' };
  const fail = (message: string) => paramError('aggregate', `${message} (${a.key}).`, 'validation_invalid_aggregate');
  const field = pathField(deps.schema, opts.collection, a.field);
  if (!field) throw fail('Unknown field');
  if (a.fn === 'count' || a.fn === 'count_distinct') return countColumn(deps, opts, a, field, alias, fail);
  const numeric = a.fn === 'sum' || a.fn === 'avg';
  if (numeric ? field.type !== 'number' : !ORDERED.has(field.type) || isMultipleField(field)) {
    throw fail(numeric ? `${a.fn} needs a number field` : `${a.fn} needs a number, text or date field`);
  }
  const compiled = compileOrFail(deps, { kind: 'identifier', name: a.field }, opts, fail);
  // An empty date is no date: min/max skip it, as they skip NULL.
  const value = DATES.has(field.type) ? sql`NULLIF(${compiled.expr}, '')` : compiled.expr;
  return { alias, key: a.key, value, output: numeric ? 'rounded' : outputOf(field), kind: compiled.kind };
}

/**
 * The value `count(f)` or `count_distinct(f)` reads from each row: the field's value where it
 * is not empty, else NULL, which COUNT skips. Empty is PocketBase's blank value of the type
 * (docs/api.md §3.11): `''` for text-like, date, single select, relation and file fields
 * (and a relation path whose relation is empty), 0 for a number, false for a bool, no item for
 * a multiple select, relation or file field.
 */
function countColumn(deps: AggregateDeps, opts: CompileOptions, a: AggregateItem, field: Field, alias: string, fail: (m: string) => AppError): Column {
  const multiple = isMultipleField(field);
  if (!COUNTABLE.has(field.type)) throw fail(`${a.fn} needs a text, number, bool, date, select, relation or file field`);
  if (multiple && a.fn === 'count_distinct') throw fail('count_distinct needs a field of one value per record');
  // A multiple field is not empty when its array has an item: its `:length` through the compiler.
  const name = multiple ? `${a.field}:length` : a.field!;
  const compiled = compileOrFail(deps, { kind: 'identifier', name }, opts, fail);
  const v = compiled.expr;
  let present: RawBuilder<unknown>;
  if (multiple) present = sql`${v} > 0`;
  else if (field.type === 'number') present = sql`${v} <> 0`;
  else if (field.type === 'bool') present = sql`${v} = ${deps.dialect.booleanValue(true)}`;
  else present = sql`${v} <> ''`;
  // NOTE: NULL (a relation path with no related row, a field its readRule hides) is empty
  // too: CASE without ELSE gives NULL.
  const value = a.fn === 'count' ? sql`CASE WHEN ${present} THEN 1 END` : sql`CASE WHEN ${present} THEN ${v} END`;
  return { alias, key: a.key, value, output: 'number', kind: compiled.kind };
}

function compileOrFail(deps: AggregateDeps, op: Operand, opts: CompileOptions, fail: (m: string) => AppError) {
  try {
    return deps.compiler.compileValue(op, opts);
  } catch (err) {
    if (isFilterError(err)) throw fail(err.reason.replace(/^./, (ch) => ch.toUpperCase()));
    throw err;
  }
}

/** The SQL of an aggregate over the inner column `col`. */
function aggregateSql(d: Dialect, a: AggregateItem, col: Column): RawBuilder<unknown> {
  const v = sql.id(col.alias);
  switch (a.fn) {
    case 'count':
      return a.field === null ? sql`COUNT(*)` : sql`COUNT(${v})`;
    case 'count_distinct':
      return sql`COUNT(DISTINCT ${v})`;
    // NOTE: as double precision on both engines: SQLite's integer SUM raises on overflow,
    // and the two engines then add the same way; past the double range the result is null.
    case 'sum':
      return d.sumDouble(v);
    case 'avg':
      return d.avgDouble(v);
    case 'min':
      return sql`MIN(${v})`;
    case 'max':
      return sql`MAX(${v})`;
  }
}

/** ORDER BY the requested output keys, then every group key ascending, so the order is total on both engines. */
function orderBy(d: Dialect, sort: readonly AggregateSortItem[], groups: readonly Column[], values: readonly Column[]): RawBuilder<unknown> {
  const byKey = new Map([...groups, ...values].map((col) => [col.key, col]));
  const items: RawBuilder<unknown>[] = [];
  const used = new Set<string>();
  for (const s of sort) {
    const col = byKey.get(s.key);
    if (!col) throw paramError('sort', `Unknown sort key ${JSON.stringify(s.key)}: sort by a groupBy key or an aggregate key.`, 'validation_invalid_sort');
    if (used.has(col.alias)) continue;
    used.add(col.alias);
    items.push(d.orderBy(sql.ref(col.alias), s.desc));
  }
  for (const g of groups) if (!used.has(g.alias)) items.push(d.orderBy(sql.ref(g.alias), false));
  return items.length > 0 ? sql`ORDER BY ${sql.join(items)}` : sql``;
}

/** The field a name or relation path ends at; undefined when a step does not exist or is not a single relation. */
function pathField(schema: Schema, c: Collection, path: string): Field | undefined {
  const parts = path.split('.');
  let current: Collection | undefined = c;
  for (let i = 0; i < parts.length - 1; i++) {
    const f: Field | undefined = current && findField(current, parts[i]!);
    if (!f || f.type !== 'relation' || isMultipleField(f)) return undefined;
    current = schema.find(String(f.collectionId ?? ''));
  }
  return current && findField(current, parts[parts.length - 1]!);
}

/**
 * A group key as an operand of the filter language: a name, or a call of `strftime`.
 * Names may not start with `@` (no request values or other collections).
 */
function parseGroupOperand(text: string): Operand | null {
  if (isFieldPath(text)) return { kind: 'identifier', name: text };
  if (!text.startsWith('strftime(')) return null;
  try {
    // NOTE: the filter parser reads operands only inside a comparison: `<key> = ''` is parsed
    // and its left side kept, so strftime is read exactly as a filter reads it.
    const node = parseFilterCached(`${text} = ''`, {});
    if (node.kind !== 'compare' || node.left.kind !== 'function' || node.left.name !== 'strftime') return null;
    return node.left;
  } catch (err) {
    if (isFilterError(err)) return null;
    throw err;
  }
}

/** Whether text is dot-separated names of letters, digits and `_` (plain code: request data). */
function isFieldPath(text: string): boolean {
  return text.split('.').every((part) => part !== '' && [...part].every((ch) => ch === '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')));
}

function outputOf(field: Field): OutputType {
  if (field.type === 'number') return 'number';
  if (field.type === 'bool') return 'bool';
  return 'text';
}

/** A value read from either engine as the JSON the API answers (same on both). */
function toJson(value: unknown, output: OutputType): unknown {
  if (value === null || value === undefined) return null;
  switch (output) {
    case 'number':
      return Number(value);
    case 'rounded': {
      // NOTE: 15 significant digits: the engines add floating-point numbers in different
      // orders, which changes the last bits and nothing a person reads.
      const n = Number(value);
      return Number.isFinite(n) ? Number(n.toPrecision(15)) : null;
    }
    case 'bool':
      return value === true || value === 1 || value === '1' || value === 't';
    case 'text':
      return String(value);
  }
}

/** A 400 whose data names the parameter. */
export function paramError(param: string, message: string, code: 'validation_invalid_group_by' | 'validation_invalid_aggregate' | 'validation_invalid_sort'): AppError {
  return badRequest(message, { [param]: { code, message } });
}
