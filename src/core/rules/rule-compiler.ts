/**
 * The rule compiler turns a filter or an API rule into one parameterized SQL
 * condition over a row alias (docs/architecture.md §3, docs/api.md §4). List filters and all five
 * rules go through it.
 *
 * NOTE: where PocketBase LEFT JOINs every path at the top of the query and adds
 * DISTINCT, the compiled condition is `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN …
 * WHERE <cond>)` correlated to the root alias. It selects the same rows (a row
 * matches when some combination of joined rows satisfies the whole condition,
 * and one path is joined once however often it appears) and lets the caller
 * write `SELECT root.* FROM <source> AS root WHERE …` without DISTINCT.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Dialect, ValueKind } from '../../db/dialect/dialect.js';
import type { CompareNode, FilterNode, Operand } from '../../filter/ast.js';
import { parseFilterCached } from '../../filter/filter-cache.js';
import { FilterError, isFilterError } from '../../filter/filter-error.js';
import type { Collection, Field } from '../collections/collection.js';
import { fieldRuleOf } from '../collections/field-rules.js';
import { MemorySchema, type Schema } from '../collections/schema.js';
import { CompileState, type CompileOptions, type Resolved } from './compile-context.js';
import { compareResolved } from './compare.js';
import { datetimeMacroValue, isDatetimeMacro } from './datetime-macros.js';
import { FieldResolver, literalOperand } from './field-resolver.js';
import { placeholderOperand, valueOperand } from './value-operands.js';
import { compileFunction } from './filter-functions.js';
import { guestRequest } from './request-info.js';
import { boundOnly, cacheable, compiledShapeKey, RuleCache } from './rule-cache.js';
import { compileSortItems, compileSortKeys, type SortKey } from './sort-compiler.js';
import { compileSearchCompare, compileSearchCount, compileSearchRank, compileSearchTiers, findSearchCall, isSearchCall, nodeCallsSearch, splitRankedSearch, type SearchTiers } from './search-compiler.js';
import { inSpanSync, tracing } from '../../tools/tracing.js';

export type { CompileMode, CompileOptions } from './compile-context.js';
export type { SortKey } from './sort-compiler.js';

/** Rules are written by superusers and may be longer than a client's filter (docs/api.md §1.7 limits clients only). */
export const RULE_PARSE_LIMITS = { maxLength: 100_000 } as const;

/** Client filter texts whose compiled forms are kept per collection. */
const FILTER_TEXTS = 256;

/** Requests (signed-in records, mostly) whose compiled form of one filter is kept. */
const FILTER_REQUESTS = 64;

/** A RuleCompiler compiles filters, rules and sorts of any collection. */
export interface RuleCompiler {
  /**
   * Parses (cached) and compiles a filter or rule; throws a 400 AppError (FilterError) on any error.
   * With `opts.params`, `{:name}` placeholders are accepted and bound from them.
   */
  compileFilter(text: string, opts: CompileOptions): RawBuilder<boolean>;
  /** Like compileFilter, also telling whether the condition refers to the row at all. */
  compileRule(text: string, opts: CompileOptions): CompiledRule;
  /** Compiles an already parsed filter. */
  compileNode(node: FilterNode, opts: CompileOptions): RawBuilder<boolean>;
  /**
   * A key naming everything the SQL compiled from these rules, client filters and other
   * texts (a sort) depends on for these options, or null when a text reads request values
   * that move (datetime macros, body, query, headers): equal keys compile to equal SQL.
   */
  compiledShapeKey(opts: CompileOptions, parts: { rules: readonly (string | null)[]; filters: readonly string[]; others: readonly string[] }): string | null;
  /** Compiles a `sort` parameter into ORDER BY items, direction included; 400 on an invalid field. */
  compileSort(text: string, opts: CompileOptions): RawBuilder<unknown>[];
  /** Compiles a `sort` parameter into the values it orders by, item by item (for keyset pagination). */
  compileSortKeys(text: string, opts: CompileOptions): SortKey[];
  /**
   * Compiles one operand of the filter language — a field, a relation path or a function
   * such as `strftime` — into the single value it has for a row (aggregate group keys).
   * A 400 FilterError for a constant, a request value or a multi-valued path.
   */
  compileValue(op: Operand, opts: CompileOptions): CompiledValue;
  /**
   * The relevance of a row for the first `search(…)` of a filter, what `sort=@rank` orders
   * by (docs/search.md §3); null when the filter has no search.
   */
  compileSearchRank(filter: string, opts: CompileOptions): RawBuilder<unknown> | null;
  /**
   * A filter whose first `search(…)` the full-text index can drive (docs/search.md §6): the
   * tiers of its `@rank`, the search's own condition and the rest of the filter. Null when
   * the filter is not of that form or the engine ranks every match instead.
   */
  compileRankedSearch(filter: string, opts: CompileOptions): RankedSearch | null;
  /**
   * Checks a rule for saving a collection: null when it compiles, else the reason (docs/api.md §2.2).
   * `collections` names the collections the rule may read (an import's, before it is saved);
   * the stored ones by default.
   */
  validateRule(collection: Collection, rule: string, collections?: readonly Collection[]): string | null;
}

/** A filter split for a list the full-text index drives (RuleCompiler.compileRankedSearch). */
export interface RankedSearch {
  /** Highest `@rank` first; every row the search matches is in exactly one. */
  tiers: SearchTiers;
  /** The search's own condition. */
  search: RawBuilder<boolean>;
  /** The other conditions of the filter; null when the filter is the search alone. */
  rest: RawBuilder<boolean> | null;
  /** A query of `n`, the rows the search matches counted in the index (null: the engine cannot). */
  count: RawBuilder<{ n: number }> | null;
}

/**
 * A compiled rule and whether it may depend on the row. `readsRow` is conservative: false
 * only when no part of the condition refers to the row (a rule of plain `@request.*`
 * values); a rule that joins other collections counts as reading it.
 */
export interface CompiledRule {
  condition: RawBuilder<boolean>;
  readsRow: boolean;
  /**
   * True when the condition's value depends on nothing but the values bound into it: it
   * reads no row and no table, and calls no function and no datetime macro (either may read
   * the clock, as `strftime('%Y', 'now')` does). Such a rule has one verdict for as long as
   * the compiled object is reused (docs/architecture.md §10).
   */
  fixed?: boolean;
  /**
   * True when the rule calls `search(…)` on the row: that reads the full-text index, which
   * holds stored rows only, so the rule cannot be judged over a record's values (a record
   * being created, a response, an event; docs/search.md §2). See rule-over-values.ts.
   */
  searches?: boolean;
}

/** One value of a row, as compileValue writes it. */
export interface CompiledValue {
  expr: RawBuilder<unknown>;
  kind?: ValueKind;
}

/** What a RuleCompiler needs: the dialect that writes SQL and the schema that names collections. */
export interface RuleCompilerDeps {
  dialect: Dialect;
  schema: Schema;
}

/** Builds a RuleCompiler. */
export function createRuleCompiler(deps: RuleCompilerDeps): RuleCompiler {
  return new SqlRuleCompiler(deps);
}

class SqlRuleCompiler implements RuleCompiler {
  // Rules compile the same for every request of one signed-in record: kept per schema version.
  private readonly rules: RuleCache<CompiledRule>;

  // A list's `filter` recurs across requests and clients (W2 compiled it on every request):
  // kept the same way, bounded per collection since clients choose the texts.
  private readonly filters: RuleCache<RawBuilder<boolean>>;

  constructor(private readonly deps: RuleCompilerDeps) {
    this.rules = new RuleCache(deps.schema, RULE_PARSE_LIMITS);
    this.filters = new RuleCache(deps.schema, {}, { maxTexts: FILTER_TEXTS, perText: FILTER_REQUESTS });
  }

  compileFilter(text: string, opts: CompileOptions): RawBuilder<boolean> {
    // Client filters only: placeholders' values and a rank are not part of the cache key.
    // A joined collection's listRule or a field's readRule compiled into it may read request
    // values the key leaves out (headers, `@now`): such a condition is not kept.
    if (opts.mode === 'clientFilter' && !opts.params && !opts.rank) {
      let requestBound = false;
      return this.filters.get(text, opts, () => {
        const state = this.newState(opts, 0);
        const condition = this.compileWith(parseFilterCached(text, {}), state);
        requestBound = state.requestBound;
        return condition;
      }, () => !requestBound);
    }
    return this.compileNode(parseFor(text, opts), opts);
  }

  compileRule(text: string, opts: CompileOptions): CompiledRule {
    return this.rules.get(text, opts, () => {
      // A span only on a cache miss (docs/observability.md §3): a hit costs nothing worth tracing.
      const tracer = tracing.tracer;
      if (tracer) return inSpanSync(tracer, 'rule compile', { 'plinth.collection': opts.collection.name, 'plinth.rule': text }, () => this.compileRuleNow(text, opts));
      return this.compileRuleNow(text, opts);
    });
  }

  private compileRuleNow(text: string, opts: CompileOptions): CompiledRule {
    const node = parseFilterCached(text, opts.mode === 'rule' ? RULE_PARSE_LIMITS : {});
    const state = this.newState(opts, 0);
    const condition = this.compileWith(node, state);
    return { condition, readsRow: state.readsRow, fixed: !state.readsRow && boundOnly(node), searches: nodeCallsSearch(node) };
  }

  compileNode(node: FilterNode, opts: CompileOptions): RawBuilder<boolean> {
    return this.compileWith(node, this.newState(opts, 0));
  }

  compiledShapeKey(opts: CompileOptions, parts: { rules: readonly (string | null)[]; filters: readonly string[]; others: readonly string[] }): string | null {
    return compiledShapeKey(this.deps.schema, opts, { ...parts, ruleLimits: RULE_PARSE_LIMITS });
  }

  compileSort(text: string, opts: CompileOptions): RawBuilder<unknown>[] {
    return compileSortItems(text, () => this.newState(opts, 0));
  }

  compileSortKeys(text: string, opts: CompileOptions): SortKey[] {
    return compileSortKeys(text, () => this.newState(opts, 0));
  }

  compileValue(op: Operand, opts: CompileOptions): CompiledValue {
    if (op.kind !== 'identifier' && op.kind !== 'function') throw new FilterError(`${describe(op)} is not a field or a function`);
    const state = this.newState(opts, 0);
    const resolved = this.resolveOperand(op, state, new FieldResolver(state));
    if (op.kind === 'identifier' && (!resolved.column || resolved.literal !== undefined)) throw new FilterError(`${describe(op)} is not a field`);
    if (resolved.multi) throw new FilterError(`${describe(op)} has many values per record`);
    const value = resolved.build();
    const joins = state.joinClauses();
    if (joins.length === 0) return { expr: value, kind: resolved.kind };
    // A single-valued relation path: at most one joined row, read by a scalar subquery.
    const base = state.alias('b');
    return { expr: sql`(SELECT ${value} AS v FROM (SELECT 1) AS ${sql.id(base)} ${sql.join(joins, sql` `)} LIMIT 1)`, kind: resolved.kind };
  }

  compileSearchRank(filter: string, opts: CompileOptions): RawBuilder<unknown> | null {
    if (filter.trim() === '') return null;
    const call = findSearchCall(parseFilterCached(filter, opts.params ? { placeholders: true } : {}));
    return call ? compileSearchRank(call, this.newState(opts, 0)) : null;
  }

  compileRankedSearch(filter: string, opts: CompileOptions): RankedSearch | null {
    if (filter.trim() === '') return null;
    const split = splitRankedSearch(parseFor(filter, opts));
    if (!split) return null;
    const state = this.newState(opts, 0);
    const tiers = compileSearchTiers(split.call, state);
    if (!tiers) return null;
    const rest = split.rest ? this.compileWith(split.rest, state) : null;
    return { tiers, search: this.compileWith(split.search, state), rest, count: compileSearchCount(split.call, state) };
  }

  validateRule(collection: Collection, rule: string, collections?: readonly Collection[]): string | null {
    try {
      const opts: CompileOptions = { collection, rootAlias: collection.name, request: guestRequest(), mode: 'rule' };
      this.compileWith(parseFor(rule, opts), this.newState(opts, 0, collections ? schemaOf(collections) : this.deps.schema));
      return null;
    } catch (err) {
      if (isFilterError(err)) return err.reason;
      return err instanceof Error ? err.message : String(err);
    }
  }

  private newState(opts: CompileOptions, counterStart: number, schema: Schema = this.deps.schema): CompileState {
    const state: CompileState = new CompileState(
      this.deps.dialect, schema, opts, (c, alias) => this.listRuleOn(state, c, alias), counterStart,
    );
    state.readRuleOn = (c, field, alias) => this.readRuleOn(state, c, field, alias);
    return state;
  }

  private compileWith(node: FilterNode, state: CompileState): RawBuilder<boolean> {
    const resolver = new FieldResolver(state);
    return state.wrap(this.node(node, state, resolver));
  }

  /** A joined collection's listRule on its alias, for a restricted client filter (docs/api.md §4.7). */
  private listRuleOn(parent: CompileState, c: Collection, alias: string): RawBuilder<boolean> | null {
    if (c.listRule === null) throw new FilterError(`the listRule of collection "${c.name}" allows only superusers`);
    if (c.listRule === '') return null;
    return this.compileNested(parent, c, alias, c.listRule);
  }

  /**
   * Another collection's rule compiled into `parent` on `alias`, its aliases taken after the
   * parent's. `parent` becomes request-bound when the rule reads request values its cache
   * key leaves out.
   */
  private compileNested(parent: CompileState, c: Collection, alias: string, rule: string): RawBuilder<boolean> {
    const node = parseFilterCached(rule, RULE_PARSE_LIMITS);
    const nested = this.newState({ collection: c, rootAlias: alias, request: parent.options.request, mode: 'rule' }, parent.aliasCounter, parent.schema);
    if (!cacheable(node)) parent.requestBound = true;
    const cond = this.compileWith(node, nested);
    parent.advanceAliases(nested.aliasCounter);
    if (nested.requestBound) parent.requestBound = true;
    return cond;
  }

  /**
   * A field's readRule on a row alias, for a restricted client filter (docs/field-rules.md):
   * the field reads as NULL where it is false. Fail closed: a rule that no longer compiles
   * is false everywhere.
   */
  private readRuleOn(parent: CompileState, c: Collection, field: Field, alias: string): RawBuilder<boolean> | null {
    const rule = fieldRuleOf(field, 'readRule');
    if (rule === undefined) return null;
    if (rule === null) return sql<boolean>`1=0`;
    try {
      return this.compileNested(parent, c, alias, rule);
    } catch (err) {
      if (isFilterError(err)) return sql<boolean>`1=0`;
      throw err;
    }
  }

  private node(node: FilterNode, state: CompileState, resolver: FieldResolver): RawBuilder<boolean> {
    if (node.kind === 'compare') return this.compare(node, state, resolver);
    const items = node.items.map((n) => this.node(n, state, resolver));
    return sql<boolean>`(${sql.join(items, node.op === 'and' ? sql` AND ` : sql` OR `)})`;
  }

  private compare(node: CompareNode, state: CompileState, resolver: FieldResolver): RawBuilder<boolean> {
    if (isSearchCall(node.left)) return compileSearchCompare(node, state);
    const left = this.operand(node.left, state, resolver, 'left');
    const right = this.operand(node.right, state, resolver, 'right');
    return compareResolved(state, left, node.op, node.any, right);
  }

  private operand(op: Operand, state: CompileState, resolver: FieldResolver, side: string): Resolved {
    try {
      return this.resolveOperand(op, state, resolver);
    } catch (err) {
      if (!isFilterError(err)) throw err;
      throw new FilterError(`invalid ${side} operand ${describe(op)} - ${err.reason}`);
    }
  }

  private resolveOperand(op: Operand, state: CompileState, resolver: FieldResolver): Resolved {
    switch (op.kind) {
      case 'text':
      case 'number':
        return valueOperand(state, op.value);
      case 'identifier':
        return this.identifier(op.name, state, resolver);
      case 'function':
        return compileFunction(op, state, (arg) => this.resolveOperand(arg, state, resolver));
      case 'placeholder':
        return placeholderOperand(state, op.name);
    }
  }

  private identifier(name: string, state: CompileState, resolver: FieldResolver): Resolved {
    if (isDatetimeMacro(name)) return valueOperand(state, datetimeMacroValue(name));
    try {
      return resolver.resolve(name);
    } catch (err) {
      // `null`, `true` and `false` are literals unless a field of that name exists (docs/api.md §4.1).
      const literal = LITERALS[name.toLowerCase()];
      if (literal !== undefined && isFilterError(err)) {
        const operand = literalOperand(literal);
        // true/false are written by the dialect: what equals a stored boolean differs per engine.
        return literal === 'NULL' ? operand : { ...operand, build: () => state.dialect.booleanValue(literal === '1') };
      }
      throw err;
    }
  }
}

const LITERALS: Record<string, string> = { null: 'NULL', true: '1', false: '0' };

/** A schema of `collections` alone, to check rules against collections not stored yet. */
function schemaOf(collections: readonly Collection[]): Schema {
  const schema = new MemorySchema();
  schema.replaceAll([...collections]);
  return schema;
}

/** A filter or rule parsed with its mode's limits; `{:name}` placeholders only where the caller brings their values (app code). */
function parseFor(text: string, opts: CompileOptions): FilterNode {
  const limits = opts.mode === 'rule' ? RULE_PARSE_LIMITS : {};
  return parseFilterCached(text, opts.params ? { ...limits, placeholders: true } : limits);
}

function describe(op: Operand): string {
  switch (op.kind) {
    case 'identifier':
      return `"${op.name}"`;
    case 'text':
      return JSON.stringify(op.value);
    case 'number':
      return op.raw;
    case 'function':
      return `"${op.name}(…)"`;
    case 'placeholder':
      return `{:${op.name}}`;
  }
}
