/**
 * Lists records (docs/api.md §3.1): the listRule and the client filter become one SQL
 * WHERE clause, the sort an ORDER BY; a page is one query, the total another.
 */
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { forbidden } from '../../errors/app-error.js';
import type { Collection } from '../collections/collection.js';
import { readGuardedFields } from '../collections/field-rules.js';
import { parseFilterCached } from '../../filter/filter-cache.js';
import type { SortItem } from '../../filter/ast.js';
import { isCheapPerRow } from '../../filter/filter-cost.js';
import { parseSort } from '../../filter/sort-parser.js';
import type { ParseFilterOptions } from '../../filter/parser.js';
import { RULE_PARSE_LIMITS, type RuleCompiler } from '../rules/rule-compiler.js';
import { isPlainName } from '../rules/rule-cache.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RecordAccess } from './record-access.js';
import type { DeniedFields, FieldReadPlan, FieldReadRules } from './field-read-rules.js';
import { rankedList, readRankedPage } from './record-ranked-list.js';
import { knowsShape, listQuery } from './list-sql-cache.js';
import { rootTable, rowToValues, type RecordValues } from './record-store.js';

/** The list parameters of docs/api.md §1.7 after parsing. */
export interface ListQuery {
  /** 1-based page, at least 1. */
  page: number;
  /** Effective page size, 1..MAX_PER_PAGE. */
  perPage: number;
  /** The raw `sort` expression ('' when absent); the sort parser validates it. */
  sort: string;
  /** The raw `filter` expression ('' when absent). */
  filter: string;
  /** Whether the COUNT query is skipped (totals are then -1). */
  skipTotal: boolean;
  /**
   * Keyset pagination (docs/api.md §3.10): '' for the first page, a
   * `nextCursor` for the next; absent for page-number pagination.
   */
  cursor?: string;
}

/** One page of records (values only; the caller serializes). */
export interface RecordPage {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: RecordValues[];
  /** With a cursor: the cursor of the next page, null after the last one. */
  nextCursor?: string | null;
  /** Per item, the fields its readRules leave out for this requester (absent: none). */
  denied?: DeniedFields;
}

/** Lists the records of `c` the request may see. */
export async function listRecords(
  exec: Executor, deps: { access: RecordAccess; compiler: RuleCompiler; dialect: Dialect; fieldReads?: FieldReads },
  c: Collection, q: ListQuery, req: RequestInfo,
): Promise<RecordPage> {
  assertMayList(deps.access, c, q, req);
  // A search sorted by @rank alone is read from the full-text index (docs/search.md §6).
  // Unless so few rows match that ranking them all costs less (docs/search.md §6.3).
  let ranked = rankedList(deps.compiler, c, q, req);
  if (ranked && await ranked.search.tiers.ranksEveryMatch?.(exec)) ranked = null;
  const offset = (q.page - 1) * q.perPage;
  // Row-dependent field readRules are columns of the page query: one query, not one per row.
  const verdicts = fieldReadColumns(deps.fieldReads);
  // A shape seen before runs as its SQL text, nothing compiled (list-sql-cache.ts).
  const shape = ranked || deps.fieldReads?.plan ? null : listShapeKey(deps.compiler, c, q, req);
  const pageKey = shape === null ? null : `page\u0000${shape}`;
  const countKey = shape === null ? null : `count\u0000${shape}`;
  let rows: Record<string, unknown>[];
  let countQuery: CompiledQuery<{ n: number }> | undefined;
  if (!ranked && knowsShape(exec, pageKey) && (q.skipTotal || knowsShape(exec, countKey))) {
    rows = (await exec.executeQuery(listQuery<Record<string, unknown>>(exec, pageKey, [q.perPage, offset], () => sql``))).rows;
    if (!q.skipTotal) countQuery = listQuery<{ n: number }>(exec, countKey, [], () => sql``);
  } else {
    const conditions = listConditions(deps, c, q, req, ranked ? ranked.search.rest : undefined);
    const all = ranked ? [...conditions, ranked.search.search] : conditions;
    const where = all.length > 0 ? sql`WHERE ${sql.join(all.map((x) => sql`(${x})`), sql` AND `)}` : sql``;
    if (ranked) {
      rows = (await readRankedPage(exec, c, ranked, conditions, { offset, limit: q.perPage }, verdicts)).rows;
    } else {
      const order = q.sort.trim() !== ''
        ? deps.compiler.compileSort(q.sort, { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter', ...searchRank(deps.compiler, c, q, req) })
        : [];
      // docs/api.md §1.7: with no sort, insertion order; with one, insertion order breaks ties so pages
      // are stable. NOTE: the tie-break runs in the direction of the last sort term, so an index
      // on the sorted columns still serves `ORDER BY x DESC` (a mixed direction forces a sort
      // of every matching row, 50× slower on a deep page of a large table).
      if (c.type !== 'view') order.push(deps.dialect.insertionOrder('root', lastSortDescending(q.sort)));
      const orderBy = order.length > 0 ? sql`ORDER BY ${sql.join(order)}` : sql``;
      const pageQuery = listQuery<Record<string, unknown>>(exec, pageKey, [q.perPage, offset], ([limit, skip]) =>
        sql`SELECT root.*${verdicts} FROM ${rootTable(c)} ${where} ${orderBy} LIMIT ${limit} OFFSET ${skip}`);
      rows = (await exec.executeQuery(pageQuery)).rows;
    }
    if (!q.skipTotal) {
      // A search alone, under no rule: counted in the index, never reading the rows (docs/search.md §6).
      const fromIndex = ranked && conditions.length === 0 ? ranked.search.count : null;
      countQuery = fromIndex ? fromIndex.compile(exec) : listQuery<{ n: number }>(exec, countKey, [], () => sql`SELECT COUNT(*) AS n FROM ${rootTable(c)} ${where}`);
    }
  }
  let totalItems = -1;
  let totalPages = -1;
  if (countQuery) {
    const count = await exec.executeQuery(countQuery);
    totalItems = Number(count.rows[0]?.n ?? 0);
    totalPages = Math.ceil(totalItems / q.perPage);
  }
  const page: RecordPage = { page: q.page, perPage: q.perPage, totalItems, totalPages, items: rows.map((r) => rowToValues(c, r)) };
  noteDeniedFields(page, deps.fieldReads, rows);
  return page;
}

/** The field readRules of one list: the rules and this requester's plan (null: nothing to leave out). */
export interface FieldReads {
  rules: FieldReadRules;
  plan: FieldReadPlan | null;
}

/** The readRule verdict columns a page query selects after `root.*` (empty without field reads). */
export function fieldReadColumns(reads: FieldReads | undefined): RawBuilder<unknown> {
  return reads ? reads.rules.columns(reads.plan) : sql``;
}

/** Sets `page.denied` from the verdict columns of its rows, when any field readRule applies. */
export function noteDeniedFields(page: RecordPage, reads: FieldReads | undefined, rows: Record<string, unknown>[]): void {
  const plan = reads?.plan;
  if (plan) page.denied = rows.map((r) => reads.rules.deniedInRow(plan, r));
}

/**
 * The conditions every list of `c` applies (docs/api.md §3.1): the listRule, the client's
 * filter and the query budget, after refusing a superuser-only rule (403) and, for others,
 * `@collection.`/`@request.` names in filter or sort. `filterCondition`, when given, stands
 * for the compiled filter (null: none), e.g. its part left once the index applies a search.
 */
export function listConditions(
  deps: { access: RecordAccess; compiler: RuleCompiler; dialect: Dialect },
  c: Collection, q: Pick<ListQuery, 'filter' | 'sort'>, req: RequestInfo, filterCondition?: RawBuilder<boolean> | null,
): RawBuilder<boolean>[] {
  assertMayList(deps.access, c, q, req);
  const conditions: RawBuilder<boolean>[] = [];
  const rule = deps.access.condition(c, c.listRule, req);
  if (rule) conditions.push(rule);
  if (filterCondition !== undefined) {
    if (filterCondition) conditions.push(filterCondition);
  } else if (q.filter.trim() !== '') {
    conditions.push(deps.compiler.compileFilter(q.filter, { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter' }));
  }
  // A field's readRule joins a client filter on each row it reads (docs/field-rules.md §3): never cheap.
  const filterCheap = cheapPerRow(q.filter, {}) && (req.isSuperuser || q.filter.trim() === '' || readGuardedFields(c.fields).length === 0);
  const budget = scanBudget(deps.dialect, c, conditions.length > 0 && !(cheapPerRow(rule ? c.listRule : '', RULE_PARSE_LIMITS) && filterCheap));
  if (budget) conditions.unshift(budget);
  return conditions;
}

/**
 * The query budget check on the rows a list reads (first, so it runs before the conditions
 * on each row). SECURITY: a rule or filter can cost much per row (200 comparisons, each
 * through joins) over a large table; without any condition a list reads each row once
 * and sorts, which the size of the table bounds. A view runs its own query, superuser
 * SQL, once per row it yields: it is checked on every row, conditions or not.
 */
function scanBudget(dialect: Dialect, c: Collection, conditions: boolean): RawBuilder<boolean> | null {
  if (c.type === 'view') return dialect.rowBudget(sql`root.${sql.ref('id')}`);
  return conditions ? dialect.scanBudget('root') : null;
}

/**
 * Whether a rule or filter costs next to nothing on each row (parsed from the cache the
 * compiler just filled). NOTE: the sampled scan check costs ~25 ns a row, a quarter of a
 * page-500 read of an indexed 1M-row list; a cheap condition over N rows costs no more than
 * reading them, which a list without any condition does too.
 */
function cheapPerRow(text: string | null, limits: ParseFilterOptions): boolean {
  return text === null || text.trim() === '' || isCheapPerRow(parseFilterCached(text, limits));
}

/**
 * The shape of a list's statements (RuleCompiler.compiledShapeKey), or null when they must be
 * compiled for this request: request values in the filter or sort, or a search rank.
 */
export function listShapeKey(compiler: RuleCompiler, c: Collection, q: Pick<ListQuery, 'filter' | 'sort'>, req: RequestInfo): string | null {
  if (q.filter.includes('@request') || !plainSort(q.sort)) return null;
  // A field's readRule joins a client filter on each row it reads (docs/field-rules.md §3).
  if (readGuardedFields(c.fields).length > 0) return null;
  return compiler.compiledShapeKey(
    { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter' },
    { rules: [c.listRule], filters: [q.filter], others: [q.sort, c.type] },
  );
}

/** Whether every item of a sort is a field of the row itself or `@rowid` (no relation path, no `@rank`). */
function plainSort(sort: string): boolean {
  let items: SortItem[];
  try {
    items = parseSort(sort);
  } catch {
    return false; // compiled per request, which reports the error
  }
  return items.every((item) => item.name === '@rowid' || isPlainName(item.name));
}

/** The `@rank` of the filter's search() when the sort names it (docs/search.md §3). */
export function searchRank(compiler: RuleCompiler, c: Collection, q: Pick<ListQuery, 'filter' | 'sort'>, req: RequestInfo): { rank?: RawBuilder<unknown> } {
  if (!q.sort.includes('@rank')) return {};
  const rank = compiler.compileSearchRank(q.filter, { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter' });
  return rank ? { rank } : {};
}

/** Whether the last term of a sort parameter is descending (`-field`). */
function lastSortDescending(sort: string): boolean {
  const items = sort.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return items.length > 0 && items[items.length - 1]!.startsWith('-');
}

/** A 403 for a superuser-only listRule or, for others, `@collection.`/`@request.` in filter or sort. */
export function assertMayList(access: RecordAccess, c: Collection, q: Pick<ListQuery, 'filter' | 'sort'>, req: RequestInfo): void {
  access.assertNotLocked(c.listRule, req);
  if (!req.isSuperuser) assertNoPrivilegedNames(q.filter, q.sort);
}

/** docs/api.md §3.1 step 2: only superusers may name `@collection.` or `@request.` in filter or sort. */
function assertNoPrivilegedNames(filter: string, sort: string): void {
  for (const name of ['@collection.', '@request.']) {
    if (filter.includes(name) || sort.includes(name)) throw forbidden(`Only superusers can filter by ${name}`);
  }
}
