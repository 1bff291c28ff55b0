/**
 * The `search()` function of the filter language (docs/search.md §2): `search('red shoes')`
 * over every searchable field of the collection, `search(field, 'red shoes')` over one.
 * It is a condition of its own, compiled to the dialect's full-text match on the row, and
 * gives `@rank` (relevance) for `sort=-@rank`.
 */
import { sql, type RawBuilder } from 'kysely';
import type { SearchIndexSpec } from '../../db/dialect/full-text.js';
import type { CompareNode, FilterNode, FunctionOperand, Operand } from '../../filter/ast.js';
import { FilterError } from '../../filter/filter-error.js';
import { codeError } from '../../errors/code-error.js';
import { isSearchable } from '../fields/field-searchable.js';
import { canMatch, parseSearchQuery, SearchQueryError, type SearchQuery } from '../search/search-query.js';
import { searchSpec } from '../search/search-spec.js';
import type { CompileState } from './compile-context.js';

/** The name of the search function in filters and rules. */
export const SEARCH_FUNCTION = 'search';

/** Whether an operand is a `search(…)` call. */
export function isSearchCall(op: Operand): op is FunctionOperand {
  return op.kind === 'function' && op.name === SEARCH_FUNCTION;
}

/**
 * Compiles a comparison whose left side is `search(…)`: written alone it means
 * `search(…) = true`; `= false` and `!= true` negate it.
 */
export function compileSearchCompare(node: CompareNode, state: CompileState): RawBuilder<boolean> {
  const fn = node.left as FunctionOperand;
  const wanted = node.right.kind === 'identifier' ? node.right.name.toLowerCase() : '';
  if (node.any || (node.op !== '=' && node.op !== '!=') || (wanted !== 'true' && wanted !== 'false')) {
    throw searchError('[search] is a condition: use it alone or compare it with = true / = false');
  }
  const target = searchTarget(fn, state);
  const match = canMatch(target.query)
    ? state.dialect.fullText.match(state.root, target.spec, target.column, target.query)
    : sql<boolean>`(1 = 0)`;
  return (node.op === '=') === (wanted === 'true') ? match : sql<boolean>`NOT (${match})`;
}

/**
 * The relevance of the row for a `search(…)` call (docs/search.md §3): the weight of each
 * searchable field the whole search matches in by itself (its place from the end of the
 * searchable fields: the first one weighs most). Built from match conditions only, so both
 * engines rank alike (their own scores, FTS5's bm25 and ts_rank, order rows differently).
 */
export function compileSearchRank(fn: FunctionOperand, state: CompileState): RawBuilder<unknown> {
  const target = searchTarget(fn, state);
  // NOTE: an expression, not a bare integer, which ORDER BY would read as a column position.
  if (!canMatch(target.query) || target.column !== null) return sql`CAST(0 AS REAL)`;
  const columns = target.spec.columns;
  const query = { include: target.query.include, exclude: [] };
  const parts = columns.map((column, i) => {
    const hit = state.dialect.fullText.match(state.root, target.spec, column, query);
    return sql`(CASE WHEN ${hit} THEN ${sql.lit(columns.length - i)} ELSE 0 END)`;
  });
  return sql`(${sql.join(parts, sql` + `)})`;
}

/** The first `search(…)` call of a filter, the one `@rank` sorts by; undefined when there is none. */
export function findSearchCall(node: FilterNode): FunctionOperand | undefined {
  if (node.kind === 'compare') return isSearchCall(node.left) ? node.left : undefined;
  for (const item of node.items) {
    const found = findSearchCall(item);
    if (found) return found;
  }
  return undefined;
}

/** A 400 for a bad search, naming the parameter at fault (`filter`, or `sort` for `@rank`). */
export function searchError(reason: string, param: 'filter' | 'sort' = 'filter'): FilterError {
  return new FilterError(reason, undefined, { [param]: codeError('validation_invalid_search', { reason }) });
}

interface SearchTarget {
  spec: SearchIndexSpec;
  column: string | null;
  query: SearchQuery;
}

function searchTarget(fn: FunctionOperand, state: CompileState): SearchTarget {
  const c = state.options.collection;
  const spec = searchSpec(c);
  if (!spec) throw searchError(`[search] collection "${c.name}" has no searchable field`);
  if (fn.args.length < 1 || fn.args.length > 2) throw searchError(`[search] expected 1 or 2 arguments, got ${fn.args.length}`);
  const [first, second] = fn.args as [Operand, Operand | undefined];
  let column: string | null = null;
  if (second) {
    if (first.kind !== 'identifier') throw searchError('[search] the first of two arguments must be a field name');
    const field = c.fields.find((f) => f.name === first.name);
    if (!field || !isSearchable(field)) throw searchError(`[search] "${first.name}" is not a searchable field of "${c.name}"`);
    column = field.name;
  }
  return { spec, column, query: searchText(second ?? first, state) };
}

function searchText(op: Operand, state: CompileState): SearchQuery {
  let text: unknown;
  if (op.kind === 'text') text = op.value;
  else if (op.kind === 'placeholder' && state.options.params && Object.hasOwn(state.options.params, op.name)) text = state.options.params[op.name];
  if (typeof text !== 'string') throw searchError('[search] the search text must be a quoted text');
  try {
    return parseSearchQuery(text);
  } catch (err) {
    if (err instanceof SearchQueryError) throw searchError(`[search] ${err.message}`);
    throw err;
  }
}
