/**
 * The sort compiler turns a `sort` parameter into ORDER BY items (docs/api.md §4.8).
 * Each item resolves like a filter identifier but must name a column; a path
 * through relations becomes a scalar subquery over the same joins a filter uses.
 */
import { sql, type RawBuilder } from 'kysely';
import { FilterError, isFilterError } from '../../filter/filter-error.js';
import { parseSort } from '../../filter/sort-parser.js';
import type { CompileState } from './compile-context.js';
import { FieldResolver } from './field-resolver.js';
import { searchError } from './search-compiler.js';

/**
 * Compiles every item of `text`; `newState` gives a fresh compilation state per
 * item. `@random` and `@rowid` are the two specials; anything that does not
 * resolve to a column is a 400 `invalid sort field`.
 */
export function compileSortItems(text: string, newState: () => CompileState): RawBuilder<unknown>[] {
  return parseSort(text).map((item) => {
    const state = newState();
    const d = state.dialect;
    if (item.name === '@random') return d.random();
    if (item.name === '@rank') {
      if (!state.options.rank) throw searchError('sort by @rank needs a search() in the filter', 'sort');
      return d.orderBy(state.options.rank, item.desc, 'numberExpr');
    }
    if (item.name === '@rowid') {
      // NOTE: a view has no row number of its own; SQLite would fail the whole query.
      if (state.options.collection.type === 'view') throw new FilterError('invalid sort field "@rowid" - views have no rowid');
      return d.orderBy(d.rowId(state.root), item.desc);
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
    if (joins.length === 0) return d.orderBy(key, item.desc, resolved.kind);
    // NOTE: over a multi-valued path a row has several values; it sorts by its
    // first one in the requested direction (its least for ASC, greatest for DESC).
    const base = state.alias('b');
    const value = sql`(SELECT ${key} AS v FROM (SELECT 1) AS ${sql.id(base)} ${sql.join(joins, sql` `)} ORDER BY ${d.orderBy(key, item.desc, resolved.kind)} LIMIT 1)`;
    return d.orderBy(value, item.desc, resolved.kind);
  });
}
