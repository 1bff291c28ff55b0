/**
 * The records API (docs/api.md §3): list, view, create, update, delete under
 * `/api/collections/{collection}/records`, each with its request hook
 * (record-request-hooks.ts). With no handler bound, a route costs one property read more.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Collection } from '../core/collections/collection.js';
import type { RecordService, WriteAction } from '../core/records/record-service.js';
import { recordBodyLimit } from '../core/records/record-body-limit.js';
import { attachUploads } from '../core/records/record-files.js';
import { dynamicBodyLimit } from './body-parser.js';
import { parseCursorParam, parseExpand, parseListParams, firstQueryValue } from './list-params.js';
import { isSuperuser, requestInfo } from './request-auth.js';
import { dropUnreadBody } from './drop-unread-body.js';
import { recordBody } from './record-body-input.js';
import { parseAggregateParams } from './aggregate-params.js';
import { HookedAction, listHooked, type RecordRequestHooks } from './record-request-hooks.js';

type Params = { collection: string; id: string };

/** Registers the records routes. */
export function registerRecordRoutes(app: FastifyInstance, records: RecordService, hooks: RecordRequestHooks): void {
  const base = '/api/collections/:collection/records';
  const expandOf = (request: FastifyRequest) => ({ expand: parseExpand(firstQueryValue(request.query, 'expand')) });
  // docs/api.md §1.1: a record body may be as large as the collection's fields allow.
  const baseLimit = app.initialConfig.bodyLimit ?? 32 << 20;
  const writeOptions = dynamicBodyLimit((request) => {
    try {
      return recordBodyLimit(records.collection((request.params as Partial<Params>).collection ?? ''), baseLimit);
    } catch {
      return baseLimit; // an unknown collection: the handler answers 404
    }
  });
  const bodyWithUploads = (request: FastifyRequest, c: Collection) => attachUploads(c, recordBody(request), request.uploadedFiles);
  const guarded = (action: WriteAction) => ({ ...writeOptions, onRequest: guardWrite(records, action) });

  app.get<{ Params: Params }>(base, async function listRecords(request, reply) {
    const c = records.collection(request.params.collection);
    const q = { ...parseListParams(request.query), cursor: parseCursorParam(request.query) };
    const result = await records.list(c, q, { expand: q.expand }, requestInfo(request));
    if (hooks.onRecordsListRequest.isEmpty) return result;
    return listHooked(hooks, request, reply, c, result);
  });

  app.get<{ Params: Params }>(`${base}/aggregate`, async function aggregateRecords(request) {
    const c = records.collection(request.params.collection);
    return records.aggregate(c, parseAggregateParams(request.query), requestInfo(request));
  });

  app.get<{ Params: Params }>(`${base}/:id`, async function viewRecord(request, reply) {
    const c = records.collection(request.params.collection);
    if (hooks.onRecordViewRequest.isEmpty) return records.view(c, request.params.id, expandOf(request), requestInfo(request));
    const hooked = new HookedAction(hooks.onRecordViewRequest, hooks.appFor, request);
    return hooked.respond(reply, await records.view(c, request.params.id, expandOf(request), requestInfo(request), hooked.intercept));
  });

  app.post<{ Params: Params }>(base, guarded('create'), async function createRecord(request, reply) {
    const c = records.collection(request.params.collection);
    const body = await bodyWithUploads(request, c);
    if (hooks.onRecordCreateRequest.isEmpty) return records.create(c, body, expandOf(request), requestInfo(request));
    const hooked = new HookedAction(hooks.onRecordCreateRequest, hooks.appFor, request);
    return hooked.respond(reply, await records.create(c, body, expandOf(request), requestInfo(request), undefined, hooked.intercept));
  });

  app.patch<{ Params: Params }>(`${base}/:id`, guarded('update'), async function updateRecord(request, reply) {
    const c = records.collection(request.params.collection);
    const body = await bodyWithUploads(request, c);
    if (hooks.onRecordUpdateRequest.isEmpty) return records.update(c, request.params.id, body, expandOf(request), requestInfo(request));
    const hooked = new HookedAction(hooks.onRecordUpdateRequest, hooks.appFor, request);
    return hooked.respond(reply, await records.update(c, request.params.id, body, expandOf(request), requestInfo(request), undefined, hooked.intercept));
  });

  app.delete<{ Params: Params }>(`${base}/:id`, { onRequest: guardWrite(records, 'delete') }, async function deleteRecord(request, reply) {
    const c = records.collection(request.params.collection);
    if (hooks.onRecordDeleteRequest.isEmpty) {
      await records.delete(c, request.params.id, requestInfo(request));
      return reply.code(204).send();
    }
    const hooked = new HookedAction(hooks.onRecordDeleteRequest, hooks.appFor, request);
    const deleted = await records.delete(c, request.params.id, requestInfo(request), undefined, hooked.intercept);
    return hooked.respond(reply, deleted ? null : undefined, 204);
  });
}

/** A body over this many bytes (or of unknown length) makes an update look its record up before reading it. */
const LOOKUP_BEFORE_BODY_BYTES = 1 << 20;

/**
 * The onRequest hook of a record write: refuses, before a byte of the body is read, what
 * the URL and the caller's auth already refuse — an unknown collection (404), a view (400),
 * a superuser-only rule (403) and, for an update with a large body, a missing record or
 * one whose rule (when it does not read the body) refuses the caller (404).
 */
function guardWrite(records: RecordService, action: WriteAction) {
  return async function refuseBeforeBody(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const params = request.params as Partial<Params>;
    try {
      const c = records.collection(params.collection ?? '');
      // NOTE: the full request info (query, headers, client IP) is built again by the
      // handler; here it is only built for the rare lookup that needs it.
      records.assertMayWrite(c, action, { isSuperuser: isSuperuser(request) });
      if (action === 'update' && bodyBytes(request) > LOOKUP_BEFORE_BODY_BYTES) await records.assertUpdatable(records.db, c, params.id ?? '', requestInfo(request));
    } catch (err) {
      dropUnreadBody(request, reply);
      throw err;
    }
  };
}

/** The declared body length; Infinity for a chunked body, 0 for none. */
function bodyBytes(request: FastifyRequest): number {
  if (request.headers['transfer-encoding'] !== undefined) return Infinity;
  return Number(request.headers['content-length'] ?? 0) || 0;
}
