/**
 * A list sorted by `@rank` alone, read from the full-text index (docs/search.md §6): each
 * relevance tier yields its rows in insertion order straight from the index, so a page
 * stops after its rows instead of ranking every match, and only the page's rows are read
 * whole. The same rows, in the same order, as sorting every match by `@rank`.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Collection } from '../collections/collection.js';
import { parseSort } from '../../filter/sort-parser.js';
import type { RankedSearch, RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import { rootTable } from './record-store.js';

/** A list the index can drive: its split filter and the direction of `@rank`. */
export interface RankedList {
  search: RankedSearch;
  descending: boolean;
}

/**
 * The most rows before a page that the tiers may skip. SECURITY: each tier is a statement of
 * its own, and one reads every row of the tiers before the page: past this depth a page is one
 * statement ranking every match, which does that work once. The tiers of one request share
 * one query budget (QueryDeadlines, docs/security.md "Queries"; docs/search.md §6.1).
 */
export const MAX_RANKED_OFFSET = 1000;

/**
 * The ranked list of a query whose sort is `@rank` or `-@rank` alone and whose filter the
 * index can drive (RuleCompiler.compileRankedSearch), on a page at most MAX_RANKED_OFFSET
 * rows deep; null for any other list. A cursor page asks as page 1: it starts at its position.
 */
export function rankedList(compiler: RuleCompiler, c: Collection, q: { filter: string; sort: string; page: number; perPage: number }, req: RequestInfo): RankedList | null {
  if ((q.page - 1) * q.perPage > MAX_RANKED_OFFSET) return null;
  const descending = rankSortDescending(c, q.sort);
  if (descending === null) return null;
  const search = compiler.compileRankedSearch(q.filter, { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter' });
  return search ? { search, descending } : null;
}

/**
 * Whether a sort that is `@rank` or `-@rank` alone, on a collection with insertion order
 * (not a view), is descending; null for any other sort.
 */
export function rankSortDescending(c: Collection, sort: string): boolean | null {
  if (c.type === 'view' || !sort.includes('@rank')) return null;
  const items = parseSort(sort);
  return items.length === 1 && items[0]!.name === '@rank' ? items[0]!.desc : null;
}

/**
 * Where a walk of a ranked list stands (docs/api.md §3.10): the `@rank` of the last row read
 * and its insertion-order key (the dialect's rowId, which a tier's `rowid` equals) within that tier.
 */
export interface TierPosition {
  rank: number;
  rowid: string | number;
}

/**
 * The rows of a ranked page, and what the tiers gave: each row's id and rank, in order
 * (a row deleted between the tiers' read and the rows' read is in `read`, not in `rows`).
 */
export interface RankedPage {
  rows: Record<string, unknown>[];
  read: { id: string; rank: number }[];
}

/**
 * The rows of one page: tier by tier in `@rank` order, each tier's rows in insertion order
 * (the direction of `@rank`, as the list's tie-break), under `conditions` (the rule, the rest
 * of the filter, the budget). The page starts `offset` rows in, or right after `after` (a
 * cursor's position: the rest of its tier, then the tiers after it). `columns` are extra
 * columns of the page query.
 */
export async function readRankedPage(
  exec: Executor, c: Collection, list: RankedList, conditions: RawBuilder<boolean>[],
  page: { offset: number; limit: number; after?: TierPosition }, columns: RawBuilder<unknown>,
): Promise<RankedPage> {
  const direction = list.descending ? sql`DESC` : sql`ASC`;
  const { after } = page;
  // The fields no row matches within leave their tiers empty: known first, they cost no query.
  const { probe } = list.search.tiers;
  const hits = probe ? Number((await probe.execute(exec)).rows[0]?.hits ?? -1) : -1;
  const all = list.search.tiers.list(hits);
  const tiers = (list.descending ? all : all.reverse())
    // Tiers before the cursor's are done (ranks, not tier numbers: the probe may differ from page to page).
    .filter((t) => !after || (list.descending ? t.rank <= after.rank : t.rank >= after.rank));
  const found: { id: string; rank: number }[] = [];
  let skip = page.offset;
  for (const tier of tiers) {
    const want = skip + page.limit - found.length;
    const own = [...conditions];
    // NOTE: the seek is on the index's own rowid, so the index starts its scan there.
    if (after && tier.rank === after.rank) own.push(list.descending ? sql<boolean>`${tier.source.rowid} < ${after.rowid}` : sql<boolean>`${tier.source.rowid} > ${after.rowid}`);
    const where = own.length > 0 ? sql`WHERE ${sql.join(own.map((x) => sql`(${x})`), sql` AND `)}` : sql``;
    const got = tier.source.page
      ? await tier.source.page(exec, own, list.descending, want)
      : (await sql<{ id: string }>`SELECT root.id AS id FROM ${tier.source.from} ${where} ORDER BY ${tier.source.rowid} ${direction} LIMIT ${want}`.execute(exec)).rows.map((r) => r.id);
    found.push(...got.slice(skip).map((id) => ({ id: String(id), rank: tier.rank })));
    skip = Math.max(0, skip - got.length);
    if (found.length >= page.limit) break;
  }
  if (found.length === 0) return { rows: [], read: [] };
  // Deferred read: only the page's rows, whole, in the order the tiers gave.
  const ids = found.map((x) => x.id);
  const { rows } = await sql<Record<string, unknown>>`SELECT root.*${columns} FROM ${rootTable(c)} WHERE root.id IN (${sql.join(ids)})`.execute(exec);
  const at = new Map(ids.map((id, i) => [id, i]));
  return { rows: rows.sort((a, b) => at.get(String(a.id))! - at.get(String(b.id))!), read: found };
}
