/**
 * Lists records by keyset pagination (docs/api.md §3.10): the page after a
 * cursor is the rows whose sort values come after the last row's, read with a seek
 * condition and `LIMIT perPage + 1`, so a deep page costs what the first one does and
 * rows inserted meanwhile neither shift nor repeat what is still to come. No COUNT runs.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { isFilterError } from '../../filter/filter-error.js';
import type { Collection } from '../collections/collection.js';
import type { RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RecordAccess } from './record-access.js';
import { CursorCodec, cursorError, toCursorValue, type CursorScope, type CursorValue } from './record-cursor.js';
import { listQuery } from './list-sql-cache.js';
import { assertMayList, fieldReadColumns, listConditions, listShapeKey, noteDeniedFields, searchRank, type FieldReads, type ListQuery, type RecordPage } from './record-list.js';
import { rankedList, rankSortDescending, readRankedPage, type RankedList, type TierPosition } from './record-ranked-list.js';
import { rootTable, rowToValues } from './record-store.js';

/** What a cursor list needs. */
export interface CursorListDeps {
  access: RecordAccess;
  compiler: RuleCompiler;
  dialect: Dialect;
  cursors: CursorCodec;
  fieldReads?: FieldReads;
}

/** One value the order compares, in its direction. */
interface OrderPart {
  expr: RawBuilder<unknown>;
  desc: boolean;
  /**
   * Whether the value may be NULL. NOTE: a seek on a NOT NULL column leaves out the
   * `OR x IS NULL` branch, which would stop either engine from seeking in an index on it
   * (a descending walk would read every row above the position).
   */
  nullable: boolean;
}

/** Lists the page of `c` that `q.cursor` opens ('' for the first), with the cursor of the next. */
export async function listRecordsByCursor(
  exec: Executor, deps: CursorListDeps, c: Collection, q: ListQuery & { cursor: string }, req: RequestInfo,
): Promise<RecordPage> {
  assertMayList(deps.access, c, q, req);
  // A search sorted by @rank alone continues from the full-text index (docs/search.md §6.1).
  const ranked = rankedList(deps.compiler, c, { ...q, page: 1 }, req);
  if (ranked) return listRankedByCursor(exec, deps, c, q, req, ranked);
  const parts = orderParts(deps, c, q, req);
  const scope = cursorScope(c, q, req);
  let page = 1;
  let values: CursorValue[] | null = null;
  if (q.cursor !== '') {
    const pos = await deps.cursors.decode(q.cursor, scope);
    if (pos.values.length !== parts.length) throw cursorError('The cursor was made for another sort.');
    values = pos.values;
    page = pos.page;
  }
  // A shape seen before runs as its SQL text (list-sql-cache.ts); the seek's text depends on which values are NULL.
  const shape = deps.fieldReads?.plan ? null : listShapeKey(deps.compiler, c, q, req);
  const key = shape === null ? null : `cursor\u0000${values === null ? '-' : values.map((v) => (v === null ? 'n' : 'v')).join('')}\u0000${shape}`;
  // The dialect's parameter form of each seek value (the check of each runs as for a built query).
  for (const v of values ?? []) deps.dialect.param(v);
  const seek = values?.map((v) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v));
  const build = (slots: readonly unknown[]) => {
    const conditions = listConditions(deps, c, q, req);
    // A NULL value stays itself: the seek's text depends on it (and the key names it).
    if (values !== null) conditions.push(seekAfter(deps.dialect, parts, values.map((v, i) => (v === null ? null : slots[i + 1]) as CursorValue)));
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions.map((x) => sql`(${x})`), sql` AND `)}` : sql``;
    const keys = sql.join(parts.map((p, i) => sql`${p.expr} AS ${sql.id(`__k${i}`)}`));
    const orderBy = sql.join(parts.map((p) => deps.dialect.orderBy(p.expr, p.desc)));
    // Row-dependent field readRules are columns of the page query, as in listRecords.
    const verdicts = fieldReadColumns(deps.fieldReads);
    return sql<Record<string, unknown>>`SELECT root.*${verdicts}, ${keys} FROM ${rootTable(c)} ${where} ORDER BY ${orderBy} LIMIT ${slots[0]}`;
  };
  const query = listQuery(exec, key, [q.perPage + 1, ...(seek ?? [])], build);
  const { rows } = await exec.executeQuery(query);
  const more = rows.length > q.perPage;
  const pageRows = more ? rows.slice(0, q.perPage) : rows;
  const last = pageRows[pageRows.length - 1];
  const nextCursor = more && last
    ? await deps.cursors.encode(scope, { page: page + 1, values: parts.map((_, i) => toCursorValue(last[`__k${i}`])) })
    : null;
  const result: RecordPage = { page, perPage: q.perPage, totalItems: -1, totalPages: -1, items: pageRows.map((r) => rowToValues(c, r)), nextCursor };
  noteDeniedFields(result, deps.fieldReads, pageRows);
  return result;
}

/**
 * The page after a ranked cursor read from the full-text index (docs/api.md §3.10): the rest
 * of the cursor's tier after its row, then the tiers after it. The cursor's values are the
 * `@rank` and insertion-order key of the last row, as orderParts makes them for the same
 * sort, so a cursor of either path continues on the other.
 */
async function listRankedByCursor(
  exec: Executor, deps: CursorListDeps, c: Collection, q: ListQuery & { cursor: string }, req: RequestInfo, ranked: RankedList,
): Promise<RecordPage> {
  const conditions = listConditions(deps, c, q, req, ranked.search.rest);
  const scope = cursorScope(c, q, req);
  let page = 1;
  let after: TierPosition | undefined;
  if (q.cursor !== '') {
    const pos = await deps.cursors.decode(q.cursor, scope);
    after = tierPosition(pos.values);
    page = pos.page;
  }
  // The insertion-order key is read with the page's rows: the tiers read ids alone.
  const columns = sql`${fieldReadColumns(deps.fieldReads)}, ${deps.dialect.rowId('root')} AS ${sql.id(ROWID_KEY)}`;
  const { rows, read } = await readRankedPage(exec, c, ranked, conditions, { offset: 0, limit: q.perPage + 1, after }, columns);
  // What the tiers gave decides the page and whether more follows. NOTE: a row deleted between
  // the two reads is left out; the position is the last row read back, as every row between it
  // and the page's end was deleted too, so the next page repeats none.
  const more = read.length > q.perPage;
  const rankOf = new Map(read.slice(0, q.perPage).map((x) => [x.id, x.rank]));
  const pageRows = rows.filter((r) => rankOf.has(String(r.id)));
  const lastRow = pageRows[pageRows.length - 1];
  const last = lastRow ? { rank: rankOf.get(String(lastRow.id))!, rowid: toCursorValue(lastRow[ROWID_KEY]) } : after;
  const nextCursor = more && last ? await deps.cursors.encode(scope, { page: page + 1, values: [last.rank, last.rowid] }) : null;
  const result: RecordPage = { page, perPage: q.perPage, totalItems: -1, totalPages: -1, items: pageRows.map((r) => rowToValues(c, r)), nextCursor };
  noteDeniedFields(result, deps.fieldReads, pageRows);
  return result;
}

/** The column of a ranked page's rows holding their insertion-order key. */
const ROWID_KEY = '__rowid';

/** The tier position of a ranked cursor's values, `[rank, rowid]`; a 400 for any other. */
function tierPosition(values: readonly CursorValue[]): TierPosition {
  const [rank, rowid] = values;
  const isKey = typeof rowid === 'number' ? Number.isSafeInteger(rowid) : typeof rowid === 'string' && isIntegerText(rowid);
  if (values.length !== 2 || typeof rank !== 'number' || !Number.isFinite(rank) || !isKey) throw cursorError('The cursor was made for another sort.');
  return { rank, rowid: rowid as string | number };
}

function isIntegerText(text: string): boolean {
  try {
    return text !== '' && BigInt(text).toString() === text;
  } catch {
    return false;
  }
}

/**
 * The values the page is ordered by: each sort item's (a json value is several on some
 * engines), then the id, which makes the order total, in the direction of the last item.
 * A sort of `@rank` alone ends with the insertion order instead, the order of its offset
 * pages and of the full-text index's tiers (docs/api.md §3.10).
 */
function orderParts(deps: CursorListDeps, c: Collection, { filter, sort }: Pick<ListQuery, 'filter' | 'sort'>, req: RequestInfo): OrderPart[] {
  let keys;
  try {
    keys = sort.trim() === '' ? [] : deps.compiler.compileSortKeys(sort, { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter', ...searchRank(deps.compiler, c, { filter, sort }, req) });
  } catch (err) {
    // `@random` is a valid sort of a page-numbered list but cannot be continued from a position.
    if (isFilterError(err) && err.reason.includes('@random')) throw cursorError('A cursor cannot follow a random order.');
    throw err;
  }
  const parts = keys.flatMap((k) => {
    const exprs = deps.dialect.orderKeys(k.expr, k.kind);
    // One value: the key itself; several (a json value's rank, number, text): each may be NULL.
    return exprs.map((expr) => ({ expr, desc: k.desc, nullable: k.nullable || exprs.length > 1 }));
  });
  const lastDesc = keys.length > 0 && keys[keys.length - 1]!.desc;
  const tieBreak = rankSortDescending(c, sort) === null ? sql`root.${sql.ref('id')}` : deps.dialect.rowId('root');
  parts.push({ expr: tieBreak, desc: lastDesc, nullable: false });
  return parts;
}

/** What the cursors of this list are bound to. */
function cursorScope(c: Collection, q: ListQuery, req: RequestInfo): CursorScope {
  const requester = req.isSuperuser ? 'superuser' : req.auth ? `${req.auth.collection.id}/${String(req.auth.record.id ?? '')}` : '';
  // A sort of @rank alone breaks ties by insertion order: cursors of the id tie-break it once had are refused.
  const tieBreak = rankSortDescending(c, q.sort) === null ? undefined : 'insertion';
  return { collectionId: c.id, collectionUpdated: c.updated, sort: q.sort, filter: q.filter, requester, ...(tieBreak ? { tieBreak } : {}) };
}

/**
 * The rows after the one whose order values are `values`: lexicographically after, each
 * part compared in its direction with NULL the smallest value (the order orderBy writes).
 * The first part's bound comes first, on its own, so an index on it can serve the seek.
 */
function seekAfter(d: Dialect, parts: readonly OrderPart[], values: readonly CursorValue[]): RawBuilder<boolean> {
  const alternatives: RawBuilder<boolean>[] = [];
  for (let i = 0; i < parts.length; i++) {
    const terms = parts.slice(0, i).map((p, j) => same(d, p.expr, values[j]!));
    terms.push(after(d, parts[i]!, values[i]!));
    alternatives.push(sql<boolean>`(${sql.join(terms, sql` AND `)})`);
  }
  const first = atOrAfter(d, parts[0]!, values[0]!);
  return sql<boolean>`${first} AND (${sql.join(alternatives, sql` OR `)})`;
}

function same(d: Dialect, expr: RawBuilder<unknown>, value: CursorValue): RawBuilder<boolean> {
  return value === null ? sql<boolean>`${expr} IS NULL` : sql<boolean>`${expr} = ${d.param(value)}`;
}

function after(d: Dialect, part: OrderPart, value: CursorValue): RawBuilder<boolean> {
  if (value === null) return part.desc ? sql<boolean>`1=0` : sql<boolean>`${part.expr} IS NOT NULL`;
  if (!part.desc) return sql<boolean>`${part.expr} > ${d.param(value)}`;
  return part.nullable ? sql<boolean>`(${part.expr} < ${d.param(value)} OR ${part.expr} IS NULL)` : sql<boolean>`${part.expr} < ${d.param(value)}`;
}

function atOrAfter(d: Dialect, part: OrderPart, value: CursorValue): RawBuilder<boolean> {
  if (value === null) return part.desc ? sql<boolean>`${part.expr} IS NULL` : sql<boolean>`1=1`;
  if (!part.desc) return sql<boolean>`${part.expr} >= ${d.param(value)}`;
  return part.nullable ? sql<boolean>`(${part.expr} <= ${d.param(value)} OR ${part.expr} IS NULL)` : sql<boolean>`${part.expr} <= ${d.param(value)}`;
}
