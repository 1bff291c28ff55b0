/**
 * The list of collections (docs/api.md §2, `GET /api/collections`): the `_collections` rows,
 * filtered and sorted by the same compiler as records, superusers only.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { ListQuery, RecordPage } from '../records/record-list.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RuleCompiler } from '../rules/rule-compiler.js';
import type { Collection, Field } from './collection.js';

/** What listing the collections needs. */
export interface CollectionListDeps {
  db: Db;
  compiler: RuleCompiler;
}

/** One page of collection definitions. */
export type CollectionPage = Omit<RecordPage, 'items'> & { items: Collection[] };

/** The `_collections` table seen as a collection, so list filters compile like any other (docs/api.md §2). */
const collectionsTable: Collection = {
  id: '_collections', name: '_collections', type: 'base', system: true,
  listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null, indexes: [], created: '', updated: '',
  fields: [
    ...['id', 'name', 'type', 'created', 'updated'].map((name): Field => ({ id: name, name, type: 'text', system: true, hidden: false, presentable: false, min: 0, max: 0, pattern: '' })),
    { id: 'system', name: 'system', type: 'bool', system: true, hidden: false, presentable: false },
  ],
};

/** Lists the stored collections for the page, filter and sort of `q` (oldest first by default). */
export async function listCollections(deps: CollectionListDeps, q: ListQuery, req: RequestInfo): Promise<CollectionPage> {
  const opts = { collection: collectionsTable, rootAlias: 'root', request: req, mode: 'rule' as const };
  const where = q.filter.trim() ? sql`WHERE ${deps.compiler.compileFilter(q.filter, opts)}` : sql``;
  const order = q.sort.trim() ? deps.compiler.compileSort(q.sort, opts) : [sql`root.created`, sql`root.name`];
  const { rows } = await sql<{ data: string }>`SELECT root.data FROM _collections AS root ${where} ORDER BY ${sql.join(order)} LIMIT ${q.perPage} OFFSET ${(q.page - 1) * q.perPage}`.execute(deps.db);
  let totalItems = -1;
  if (!q.skipTotal) {
    const count = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM _collections AS root ${where}`.execute(deps.db);
    totalItems = Number(count.rows[0]?.n ?? 0);
  }
  return {
    page: q.page, perPage: q.perPage, totalItems, totalPages: totalItems < 0 ? -1 : Math.ceil(totalItems / q.perPage),
    items: rows.map((r) => JSON.parse(r.data) as Collection),
  };
}
