/**
 * The sort compiler turns a `sort` parameter into ORDER BY items (docs/api.md §4.8).
 * Each item resolves like a filter identifier but must name a column; a path
 * through relations becomes a scalar subquery over the same joins a filter uses.
 */
import { sql, type RawBuilder } from 'kysely';
import { FilterError, isFilterError } from '../../filter/filter-error.js';
import { parseSort } from '../../filter/sort-parser.js';
import type { SortItem } from '../../filter/ast.js';
import type { ValueKind } from '../../db/dialect/dialect.js';
import { findField } from '../collections/collection.js';
import { getFieldType } from '../fields/field-registry.js';
import type { CompileState } from './compile-context.js';
import { FieldResolver } from './field-resolver.js';
import { searchError } from './search-compiler.js';

/** The value one sort item orders by, before a direction is applied (for keyset pagination). */
export interface SortKey {
  /** The SQL of the value (a column, or a scalar subquery over a relation path). */
  expr: RawBuilder<unknown>;
  desc: boolean;
  kind?: ValueKind;
  /** Whether the item names a multi-valued path (the row orders by its first value). */
  multi: boolean;
  /** False only when the value is known never to be NULL (a NOT NULL column of the row itself). */
  nullable: boolean;
}

/**
 * Compiles every item of `text`; `newState` gives a fresh compilation state per
 * item. `@random` and `@rowid` are the two specials; anything that does not
 * resolve to a column is a 400 `invalid sort field`.
 */
export function compileSortItems(text: string, newState: () => CompileState): RawBuilder<unknown>[] {
  return parseSort(text).map((item) => {
    const state = newState();
    if (item.name === '@random') return state.dialect.random();
    const key = sortKeyOf(item, state);
    return state.dialect.orderBy(key.expr, key.desc, key.kind);
  });
}

/**
 * The values a sort orders by, item by item (docs/api.md §3.10): what
 * compileSortItems orders by, without the direction. `@random` has no value to seek
 * from and is a 400.
 */
export function compileSortKeys(text: string, newState: () => CompileState): SortKey[] {
  return parseSort(text).map((item) => {
    if (item.name === '@random') throw new FilterError('invalid sort field "@random" - a random order has no position to continue from');
    return sortKeyOf(item, newState());
  });
}

function sortKeyOf(item: SortItem, state: CompileState): SortKey {
  const d = state.dialect;
  if (item.name === '@rank') {
    if (!state.options.rank) throw searchError('sort by @rank needs a search() in the filter', 'sort');
    return { expr: state.options.rank, desc: item.desc, kind: 'numberExpr', multi: false, nullable: false };
  }
  if (item.name === '@rowid') {
    // NOTE: a view has no row number of its own; SQLite would fail the whole query.
    if (state.options.collection.type === 'view') throw new FilterError('invalid sort field "@rowid" - views have no rowid');
    return { expr: d.rowId(state.root), desc: item.desc, kind: 'number', multi: false, nullable: false };
  }
  let resolved;
  try {
    resolved = new FieldResolver(state).resolve(item.name);
  } catch (err) {
    if (isFilterError(err)) throw new FilterError(`invalid sort field "${item.name}" - ${err.reason}`);
    throw err;
  }
  if (!resolved.column || resolved.values.length > 0 || resolved.literal !== undefined) {
    throw new FilterError(`invalid sort field "${item.name}"`);
  }
  // SECURITY: a value the requester may not see (an auth email its owner keeps
  // hidden, docs/api.md §3.1 step 4) is resolved as NULL by the field resolver, so it sorts as
  // NULL: the order of hidden emails would otherwise be an oracle for guessing them.
  const key = resolved.build();
  const joins = state.joinClauses();
  if (joins.length === 0) {
    const nullable = !isNotNullColumn(state, item.name) || resolved.afterBuild !== undefined;
    return { expr: key, desc: item.desc, kind: resolved.kind, multi: resolved.multi !== undefined, nullable };
  }
  // NOTE: over a multi-valued path a row has several values; it sorts by its
  // first one in the requested direction (its least for ASC, greatest for DESC).
  const base = state.alias('b');
  const value = sql`(SELECT ${key} AS v FROM (SELECT 1) AS ${sql.id(base)} ${sql.join(joins, sql` `)} ORDER BY ${d.orderBy(key, item.desc, resolved.kind)} LIMIT 1)`;
  return { expr: value, desc: item.desc, kind: resolved.kind, multi: resolved.multi !== undefined, nullable: true };
}

/**
 * Whether `name` is a field of the row's own table whose column is NOT NULL: text, number
 * and bool columns are (db/dialect); json columns and the columns of a view may hold NULL.
 */
function isNotNullColumn(state: CompileState, name: string): boolean {
  const c = state.options.collection;
  if (c.type === 'view') return false;
  const field = findField(c, name);
  const type = field && getFieldType(field.type);
  return type !== undefined && type.columnKind(field!) !== 'json';
}
