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
import { collectionEventTags } from '../core/collections/collection-hooks.js';
import {
  CollectionRequestEvent, CollectionsImportRequestEvent, CollectionsListRequestEvent, respondHooked, runRequestHook,
  type AdminHooks, type CollectionListJson,
} from './admin-hooks.js';

type Params = { collection: string };

/** What the collections routes need. */
export interface CollectionRoutesDeps extends CollectionListDeps {
  collections: CollectionService;
  records: RecordService;
  /** The collection request hooks; with none bound a route builds no event. */
  hooks: AdminHooks;
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
  const { collections, hooks } = deps;

  app.get('/api/collections', async function listPage(request, reply) {
    const page = await listCollections(deps, parseListParams(request.query), requestInfo(request));
    const result: CollectionListJson = { ...page, items: page.items.map(toPublicJSON) };
    if (hooks.onCollectionsListRequest.isEmpty) return result;
    const e = new CollectionsListRequestEvent(hooks.app(), request, page.items, result);
    const ran = await runRequestHook(hooks.onCollectionsListRequest, e, [], () => undefined);
    return respondHooked(e, reply, ran, 200, () => e.result);
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
    if (hooks.onCollectionsImportRequest.isEmpty) {
      await collections.import(body.collections, body.deleteMissing === true);
      return reply.code(204).send();
    }
    const e = new CollectionsImportRequestEvent(hooks.app(), request, body.collections, body.deleteMissing === true);
    const ran = await runRequestHook(hooks.onCollectionsImportRequest, e, [], (ev) => collections.import(ev.collectionsData, ev.deleteMissing));
    return respondHooked(e, reply, ran, 204);
  });

  app.get<{ Params: Params }>('/api/collections/:collection', async function viewCollection(request, reply) {
    const c = collections.get(request.params.collection);
    if (hooks.onCollectionViewRequest.isEmpty) return toPublicJSON(c);
    const e = new CollectionRequestEvent(hooks.app(), request, c);
    const ran = await runRequestHook(hooks.onCollectionViewRequest, e, collectionEventTags(c), () => undefined);
    return respondHooked(e, reply, ran, 200, () => toPublicJSON(e.collection));
  });

  app.post('/api/collections', async function createCollection(request, reply) {
    if (hooks.onCollectionCreateRequest.isEmpty) return toPublicJSON(await collections.create(recordBody(request)));
    const draft = collections.draftNew(recordBody(request));
    const e = new CollectionRequestEvent(hooks.app(), request, draft);
    const ran = await runRequestHook(hooks.onCollectionCreateRequest, e, collectionEventTags(draft), async (ev) => {
      ev.collection = await collections.insert(ev.collection);
    });
    return respondHooked(e, reply, ran, 200, () => toPublicJSON(e.collection));
  });

  app.patch<{ Params: Params }>('/api/collections/:collection', async function updateCollection(request, reply) {
    if (hooks.onCollectionUpdateRequest.isEmpty) return toPublicJSON(await collections.update(request.params.collection, recordBody(request)));
    const { old, next } = collections.draftUpdate(request.params.collection, recordBody(request));
    const e = new CollectionRequestEvent(hooks.app(), request, next);
    const ran = await runRequestHook(hooks.onCollectionUpdateRequest, e, collectionEventTags(old), async (ev) => {
      ev.collection = await collections.applyUpdate(old, ev.collection);
    });
    return respondHooked(e, reply, ran, 200, () => toPublicJSON(e.collection));
  });

  app.delete<{ Params: Params }>('/api/collections/:collection', async function deleteCollection(request, reply) {
    const c = collections.get(request.params.collection);
    if (hooks.onCollectionDeleteRequest.isEmpty) {
      await collections.remove(c);
      return reply.code(204).send();
    }
    const e = new CollectionRequestEvent(hooks.app(), request, c);
    const ran = await runRequestHook(hooks.onCollectionDeleteRequest, e, collectionEventTags(c), (ev) => collections.remove(ev.collection));
    return respondHooked(e, reply, ran, 204);
  });

  app.delete<{ Params: Params }>('/api/collections/:collection/truncate', async (request, reply) => {
    const c = collections.get(request.params.collection);
    await deps.records.truncate(c);
    return reply.code(204).send();
  });
}
