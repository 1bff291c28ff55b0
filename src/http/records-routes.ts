/**
 * The records API (spec §3): list, view, create, update, delete under
 * `/api/collections/{collection}/records`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Collection } from '../core/collections/collection.js';
import type { RecordService } from '../core/records/record-service.js';
import { recordBodyLimit } from '../core/records/record-body-limit.js';
import { attachUploads } from '../core/records/record-files.js';
import { dynamicBodyLimit } from './body-parser.js';
import { parseExpand, parseListParams, firstQueryValue } from './list-params.js';
import { requestInfo } from './request-auth.js';
import { recordBody } from './record-body-input.js';

type Params = { collection: string; id: string };

/** Registers the records routes. */
export function registerRecordRoutes(app: FastifyInstance, records: RecordService): void {
  const base = '/api/collections/:collection/records';
  const expandOf = (request: FastifyRequest) => ({ expand: parseExpand(firstQueryValue(request.query, 'expand')) });
  // Spec §1.1: a record body may be as large as the collection's fields allow.
  const baseLimit = app.initialConfig.bodyLimit ?? 32 << 20;
  const writeOptions = dynamicBodyLimit((request) => {
    try {
      return recordBodyLimit(records.collection((request.params as Partial<Params>).collection ?? ''), baseLimit);
    } catch {
      return baseLimit; // an unknown collection: the handler answers 404
    }
  });
  const bodyWithUploads = (request: FastifyRequest, c: Collection) => attachUploads(c, recordBody(request), request.uploadedFiles);

  app.get<{ Params: Params }>(base, async function listRecords(request) {
    const c = records.collection(request.params.collection);
    const q = parseListParams(request.query);
    return records.list(c, q, { expand: q.expand }, requestInfo(request));
  });

  app.get<{ Params: Params }>(`${base}/:id`, async function viewRecord(request) {
    const c = records.collection(request.params.collection);
    return records.view(c, request.params.id, expandOf(request), requestInfo(request));
  });

  app.post<{ Params: Params }>(base, writeOptions, async function createRecord(request) {
    const c = records.collection(request.params.collection);
    return records.create(c, await bodyWithUploads(request, c), expandOf(request), requestInfo(request));
  });

  app.patch<{ Params: Params }>(`${base}/:id`, writeOptions, async function updateRecord(request) {
    const c = records.collection(request.params.collection);
    return records.update(c, request.params.id, await bodyWithUploads(request, c), expandOf(request), requestInfo(request));
  });

  app.delete<{ Params: Params }>(`${base}/:id`, async function deleteRecord(request, reply) {
    const c = records.collection(request.params.collection);
    await records.delete(c, request.params.id, requestInfo(request));
    return reply.code(204).send();
  });
}
