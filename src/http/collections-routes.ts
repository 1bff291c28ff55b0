/**
 * The collections API (docs/api.md §2), superusers only.
 */
import type { FastifyInstance } from 'fastify';
import { listCollections, type CollectionListDeps } from '../core/collections/collection-list.js';
import type { CollectionService } from '../core/collections/collection-service.js';
import { toPublicJSON } from '../core/collections/collection-json.js';
import { scaffolds } from '../core/collections/collection-defaults.js';
import { oauth2ProviderList } from '../core/auth/oauth2/oauth2-auth-methods.js';
import type { RecordService } from '../core/records/record-service.js';
import { serializeRecord } from '../core/records/record-serialize.js';
import { rowToValues } from '../core/records/record-store.js';
import { parseListParams } from './list-params.js';
import { assertSuperuser, requestInfo } from './request-auth.js';
import { recordBody } from './record-body-input.js';

type Params = { collection: string };

/** What the collections routes need. */
export interface CollectionRoutesDeps extends CollectionListDeps {
  collections: CollectionService;
  records: RecordService;
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

  app.get('/api/collections', async function listPage(request) {
    const page = await listCollections(deps, parseListParams(request.query), requestInfo(request));
    return { ...page, items: page.items.map(toPublicJSON) };
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
