/**
 * The collections API (spec §2), superusers only.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Collection, Field } from '../core/collections/collection.js';
import type { CollectionService } from '../core/collections/collection-service.js';
import { toPublicJSON } from '../core/collections/collection-json.js';
import { scaffolds } from '../core/collections/collection-defaults.js';
import { oauth2ProviderList } from '../core/auth/oauth2/oauth2-auth-methods.js';
import type { RecordService } from '../core/records/record-service.js';
import { serializeRecord } from '../core/records/record-serialize.js';
import { rowToValues } from '../core/records/record-store.js';
import type { RuleCompiler } from '../core/rules/rule-compiler.js';
import type { Db } from '../db/database.js';
import { parseListParams } from './list-params.js';
import { assertSuperuser, requestInfo } from './request-auth.js';
import { recordBody } from './record-body-input.js';

type Params = { collection: string };

/** What the collections routes need. */
export interface CollectionRoutesDeps {
  db: Db;
  collections: CollectionService;
  records: RecordService;
  compiler: RuleCompiler;
}

/** Registers the collections routes. */
export async function registerCollectionRoutes(app: FastifyInstance, deps: CollectionRoutesDeps): Promise<void> {
  // An encapsulated scope: the superuser guard applies to these routes only.
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));
    collectionRoutes(scope, deps);
  });
}

function collectionRoutes(app: FastifyInstance, deps: CollectionRoutesDeps): void {
  const { collections } = deps;

  app.get('/api/collections', async function listCollections(request) {
    const q = parseListParams(request.query);
    return listCollectionRows(deps, q, requestInfo(request));
  });

  app.get('/api/collections/meta/scaffolds', async () => scaffolds());
  app.get('/api/collections/meta/oauth2-providers', async () => oauth2ProviderList());

  app.post('/api/collections/meta/dry-run-view', async function dryRunView(request) {
    const { collection, rows } = await collections.dryRunView(recordBody(request).query);
    return {
      fields: toPublicJSON(collection).fields,
      sample: rows.map((row) => serializeRecord(collection, rowToValues(collection, row), { showHidden: true, showEmail: true })),
    };
  });

  app.put('/api/collections/import', async function importCollections(request, reply) {
    const body = recordBody(request);
    await collections.import(body.collections, body.deleteMissing === true);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/api/collections/:collection', async (request) => toPublicJSON(collections.get(request.params.collection)));

  app.post('/api/collections', async (request) => toPublicJSON(await collections.create(recordBody(request))));

  app.patch<{ Params: Params }>('/api/collections/:collection', async (request) =>
    toPublicJSON(await collections.update(request.params.collection, recordBody(request))));

  app.delete<{ Params: Params }>('/api/collections/:collection', async (request, reply) => {
    await collections.delete(request.params.collection);
    return reply.code(204).send();
  });

  app.delete<{ Params: Params }>('/api/collections/:collection/truncate', async (request, reply) => {
    const c = collections.get(request.params.collection);
    await deps.records.truncate(c);
    return reply.code(204).send();
  });
}

/** The `_collections` table seen as a collection, so list filters compile like any other (spec §2). */
const collectionsTable: Collection = {
  id: '_collections', name: '_collections', type: 'base', system: true,
  listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null, indexes: [], created: '', updated: '',
  fields: [
    ...['id', 'name', 'type', 'created', 'updated'].map((name): Field => ({ id: name, name, type: 'text', system: true, hidden: false, presentable: false, min: 0, max: 0, pattern: '' })),
    { id: 'system', name: 'system', type: 'bool', system: true, hidden: false, presentable: false },
  ],
};

async function listCollectionRows(deps: CollectionRoutesDeps, q: ReturnType<typeof parseListParams>, req: ReturnType<typeof requestInfo>) {
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
    items: rows.map((r) => toPublicJSON(JSON.parse(r.data) as Collection)),
  };
}
