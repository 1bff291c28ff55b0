/**
 * The `search()` function of the filter language (docs/search.md §2): `search('red shoes')`
 * over every searchable field of the collection, `search(field, 'red shoes')` over one.
 * It is a condition of its own, compiled to the dialect's full-text match on the row, and
 * gives `@rank` (relevance) for `sort=-@rank`.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { SearchIndexSpec, SearchTierSource } from '../../db/dialect/full-text.js';
import type { CompareNode, FilterNode, FunctionOperand, Operand } from '../../filter/ast.js';
import { FilterError } from '../../filter/filter-error.js';
import { parseFilterCached } from '../../filter/filter-cache.js';
import type { ParseFilterOptions } from '../../filter/parser.js';
import { codeError } from '../../errors/code-error.js';
import { isSearchable } from '../fields/field-searchable.js';
import { canMatch, MAX_SEARCH_TERMS, parseSearchQuery, SearchQueryError, type SearchQuery } from '../search/search-query.js';
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
  // SECURITY: each word is a walk through the index that no query budget can cut short on
  // SQLite (docs/search.md §2): the limit of one search holds for a filter's searches together.
  if (!state.addSearchTerms(target.query.include.length + target.query.exclude.length, MAX_SEARCH_TERMS)) {
    throw searchError(`[search] the searches of a filter hold more than ${MAX_SEARCH_TERMS} words and phrases together`);
  }
  const positive = (node.op === '=') === (wanted === 'true');
  // A negated search finds no rows: it tests each row the rest of the list reads.
  const match = canMatch(target.query)
    ? state.dialect.fullText.match(state.root, target.spec, target.column, target.query, positive ? 'filter' : 'row')
    : sql<boolean>`(1 = 0)`;
  return positive ? match : sql<boolean>`NOT (${match})`;
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
    const hit = state.dialect.fullText.match(state.root, target.spec, column, query, 'row');
    return sql`(CASE WHEN ${hit} THEN ${sql.lit(columns.length - i)} ELSE 0 END)`;
  });
  return sql`(${sql.join(parts, sql` + `)})`;
}

/** The most searchable fields whose relevance tiers are read from the index (2^n subsets of fields). */
const MAX_TIER_COLUMNS = 4;

/** The rows of one `@rank` value, read from the index in insertion order (docs/search.md §6). */
export interface SearchTier {
  rank: number;
  source: SearchTierSource;
}

/** The tiers of `@rank` of a search (docs/search.md §6). */
export interface SearchTiers {
  /**
   * A query of one row, `hits`: a bitmask of the searchable fields the whole search matches
   * within in some row (bit i: the i-th field); null when the tiers do not depend on it.
   */
  probe: RawBuilder<{ hits: number }> | null;
  /**
   * The tiers, highest rank first, given `hits` (-1: unknown): a tier that needs the search
   * within a field no row matches within is left out, and no tier tests such a field.
   */
  list(hits: number): SearchTier[];
  /**
   * True when the engine ranks this search's every match in one statement for less than the
   * tiers cost (few rows match, docs/search.md §6.3); absent: the tiers are read.
   */
  ranksEveryMatch?(exec: Executor): Promise<boolean>;
}

/**
 * The tiers of `@rank` for a `search(…)` call: every `@rank` value compileSearchRank can
 * give, each with the rows that have it. Null when the engine has no tier path, the search
 * matches nothing, or the collection has too many searchable fields.
 */
export function compileSearchTiers(fn: FunctionOperand, state: CompileState): SearchTiers | null {
  const fullText = state.dialect.fullText;
  const tier = fullText.tier?.bind(fullText);
  const target = searchTarget(fn, state);
  if (!tier || !canMatch(target.query)) return null;
  const { spec, column, query } = target;
  const few = fullText.ranksEveryMatch?.bind(fullText);
  const ranksEveryMatch = few ? { ranksEveryMatch: (exec: Executor) => few(exec, spec, column, query) } : {};
  if (column !== null) return { probe: null, list: () => [{ rank: 0, source: tier(state.root, spec, column, query, null, -1) }], ...ranksEveryMatch };
  const n = spec.columns.length;
  if (n > MAX_TIER_COLUMNS) return null;
  // The same weights as compileSearchRank: the i-th field weighs n - i.
  const byRank = new Map<number, number[]>();
  for (let mask = 0; mask < 1 << n; mask++) {
    let rank = 0;
    for (let i = 0; i < n; i++) if ((mask & (1 << i)) !== 0) rank += n - i;
    byRank.set(rank, [...(byRank.get(rank) ?? []), mask]);
  }
  const ranks = [...byRank.entries()].sort((a, b) => b[0] - a[0]);
  return {
    probe: fullText.columnHits ? fullText.columnHits(spec, query) : null,
    list: (hits) => ranks.flatMap(([rank, masks]) => {
      // A search of one word or phrase always matches within the field holding it: no row has
      // it spread over the fields (mask 0), and that tier is not read.
      const possible = masks.filter((mask) => (mask & ~hits) === 0 && (mask !== 0 || query.include.length > 1));
      return possible.length === 0 ? [] : [{ rank, source: tier(state.root, spec, null, query, possible, hits) }];
    }),
    ...ranksEveryMatch,
  };
}

/**
 * How many rows a `search(…)` call matches, counted in the index alone (docs/search.md §6);
 * null when the engine cannot, or the search matches nothing.
 */
export function compileSearchCount(fn: FunctionOperand, state: CompileState): RawBuilder<{ n: number }> | null {
  const target = searchTarget(fn, state);
  const fullText = state.dialect.fullText;
  return fullText.count && canMatch(target.query) ? fullText.count(target.spec, target.column, target.query) : null;
}

/**
 * Whether a rule or filter text calls `search(…)` anywhere; false when it does not parse
 * (the compiler reports that). A record being written, or one an event carries, is judged
 * over its values, which no full-text index holds (docs/search.md §2).
 */
export function callsSearch(text: string, limits: ParseFilterOptions = {}): boolean {
  // Most rules name no search at all: they are not parsed here (the others hit the AST cache).
  if (!text.includes(SEARCH_FUNCTION)) return false;
  let node: FilterNode;
  try {
    node = parseFilterCached(text, limits);
  } catch {
    return false;
  }
  return nodeCallsSearch(node);
}

/** Whether a parsed rule or filter calls `search(…)` anywhere (see callsSearch). */
export function nodeCallsSearch(node: FilterNode): boolean {
  const inOperand = (op: Operand): boolean => op.kind === 'function' && (op.name === SEARCH_FUNCTION || op.args.some(inOperand));
  const visit = (n: FilterNode): boolean => (n.kind === 'logical' ? n.items.some(visit) : inOperand(n.left) || inOperand(n.right));
  return visit(node);
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

/**
 * A filter whose first `search(…)` is one of its top-level `&&` conditions, written alone
 * or `= true`: split into that condition and the rest (null: nothing else). Such a search
 * holds for every row listed, so the index can drive the list (docs/search.md §6). Null
 * for any other filter.
 */
export function splitRankedSearch(node: FilterNode): { call: FunctionOperand; search: CompareNode; rest: FilterNode | null } | null {
  const call = findSearchCall(node);
  const items = conjuncts(node);
  const at = items.findIndex((x) => x.kind === 'compare' && x.left === call);
  if (!call || at < 0) return null;
  const search = items[at] as CompareNode;
  if (search.any || search.op !== '=' || search.right.kind !== 'identifier' || search.right.name.toLowerCase() !== 'true') return null;
  const rest = items.filter((_, i) => i !== at);
  return { call, search, rest: rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'logical', op: 'and', items: rest } };
}

function conjuncts(node: FilterNode): FilterNode[] {
  return node.kind === 'logical' && node.op === 'and' ? node.items.flatMap(conjuncts) : [node];
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
