/**
 * The types one compilation shares: the options a caller passes, the state the
 * resolver and the compiler build up, and the resolved form of an operand.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Dialect, ValueKind } from '../../db/dialect/dialect.js';
import type { Collection, Field } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RequestInfo } from './request-info.js';

/**
 * How a filter is compiled: `rule` for API rules (full access), `clientFilter`
 * for a client's `filter`/`sort` (for non-superusers: hidden fields rejected,
 * auth emails need `emailVisibility`, joined collections limited by their listRule).
 */
export type CompileMode = 'rule' | 'clientFilter';

/** What a caller says about one compilation. */
export interface CompileOptions {
  /** The collection whose rows the condition is about. */
  collection: Collection;
  /** The SQL alias of the row source in the caller's FROM (a table or a derived table). */
  rootAlias: string;
  request: RequestInfo;
  mode: CompileMode;
  /** The values of `{:name}` placeholders (filters of app code); each is bound, never written into the SQL. */
  params?: Readonly<Record<string, unknown>>;
  /** The relevance `sort=@rank` orders by: the filter's `search(…)` (docs/search.md §3); none without one. */
  rank?: RawBuilder<unknown>;
}

/**
 * How `=`/`!=` treat NULL against "" (PocketBase's NullFallback): `auto` infers it
 * from the operand, `disabled` compares with IS (json values), `enforced` never
 * treats the operand as a known non-empty value (strftime results).
 */
export type NullFallback = 'auto' | 'disabled' | 'enforced';

/** Builds, over fresh aliases, a subquery `SELECT <value> AS v …` listing every value of a multi-valued operand. */
export type MultiMatch = () => RawBuilder<unknown>;

/** A Resolved operand is one side of a comparison, ready to be written as SQL. */
export interface Resolved {
  /** The SQL of the operand; `map` rewrites its bound values (LIKE wrapping). */
  build(map?: (value: unknown) => unknown): RawBuilder<unknown>;
  /** The constant SQL text when the operand is one (`NULL`, `1`, `0`, `TRUE`, `FALSE`, a count). */
  literal?: string;
  /** The values the operand binds (text, numbers, request values, macros); structural params excluded. */
  values: readonly unknown[];
  nullFallback: NullFallback;
  /** Set when the operand has many values per row ("all" semantics need the value list). */
  multi?: MultiMatch;
  /** Rewrites the finished comparison (e.g. adds `emailVisibility = TRUE`). */
  afterBuild?: (cond: RawBuilder<boolean>) => RawBuilder<boolean>;
  /** Whether the operand reads a column (only those can be sorted by). */
  column: boolean;
  /** What the operand's SQL value is (see ValueKind); the dialect compares the way SQLite does with it. */
  kind?: ValueKind;
}

/** One LEFT JOIN of the compiled condition, registered once per path. */
interface ScopeJoin {
  alias: string;
  clauses: RawBuilder<unknown>[];
}

/** The mutable state of one compilation, shared by the resolver and the compiler. */
export class CompileState {
  private counter = 0;
  private readonly joinsByKey = new Map<string, ScopeJoin>();
  private readonly joinOrder: ScopeJoin[] = [];
  private rowRead = false;
  private searchTerms = 0;

  constructor(
    readonly dialect: Dialect,
    readonly schema: Schema,
    readonly options: CompileOptions,
    /** Compiles a joined collection's listRule on an alias; null when nothing is to be added. */
    readonly listRuleOn: (collection: Collection, alias: string) => RawBuilder<boolean> | null,
    counterStart = 0,
  ) {
    this.counter = counterStart;
  }

  /**
   * Compiles the readRule of a field of `collection` on a row alias, for a restricted client
   * filter (docs/field-rules.md); null when it adds no condition. Set by the compiler.
   */
  readRuleOn?: (collection: Collection, field: Field, alias: string) => RawBuilder<boolean> | null;

  /**
   * Set when a rule compiled into the condition (a joined collection's listRule, a field's
   * readRule) reads request values that a RuleCache key leaves out: the condition is then
   * this request's alone and must not be reused.
   */
  requestBound = false;

  /**
   * The alias of the row the condition is about. Every reference to the row goes
   * through here, so the state knows whether the condition depends on the row at all.
   */
  get root(): string {
    this.rowRead = true;
    return this.options.rootAlias;
  }

  /**
   * Counts the words and phrases of one more `search(…)` call; false once the calls of this
   * compilation hold more than `max` together (docs/search.md §2).
   */
  addSearchTerms(count: number, max: number): boolean {
    this.searchTerms += count;
    return this.searchTerms <= max;
  }

  /** Whether the compiled condition refers to the row (see `root`). */
  get readsRow(): boolean {
    return this.rowRead;
  }

  /** Whether the requester is held to client-filter restrictions (docs/api.md §3.1 step 4). */
  get restricted(): boolean {
    return this.options.mode === 'clientFilter' && !this.options.request.isSuperuser;
  }

  /** A fresh alias, unique within the whole compilation (nested ones included). */
  alias(prefix: string): string {
    this.counter++;
    return `__${prefix}${this.counter}`;
  }

  /** The last alias number handed out, so a nested compilation can continue the sequence. */
  get aliasCounter(): number {
    return this.counter;
  }

  /** Moves the alias sequence past what a nested compilation used. */
  advanceAliases(to: number): void {
    if (to > this.counter) this.counter = to;
  }

  /**
   * Registers the joins of a path step once: the same path (key) reuses the same
   * alias, which is how PocketBase's shared LEFT JOINs behave.
   */
  join(key: string, make: () => { alias: string; clauses: RawBuilder<unknown>[] }): string {
    const existing = this.joinsByKey.get(key);
    if (existing) return existing.alias;
    const made = make();
    this.joinsByKey.set(key, made);
    this.joinOrder.push(made);
    return made.alias;
  }

  /** Wraps a condition so its joins apply: `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE cond)`. */
  wrap(cond: RawBuilder<boolean>): RawBuilder<boolean> {
    if (this.joinOrder.length === 0) return cond;
    const clauses = this.joinOrder.flatMap((j) => j.clauses);
    const base = this.alias('b');
    return sql<boolean>`EXISTS (SELECT 1 FROM (SELECT 1) AS ${sql.id(base)} ${sql.join(clauses, sql` `)} WHERE ${cond})`;
  }

  /** The joins registered so far, as clauses (for sort subqueries). */
  joinClauses(): RawBuilder<unknown>[] {
    return this.joinOrder.flatMap((j) => j.clauses);
  }
}
