/**
 * Runs one sub-request of `POST /api/batch` (spec §7) through the RecordService
 * inside the batch's transaction, as the records routes would run it: its own
 * rules, `expand` and `fields`, the outer request's auth and `@request.context = "batch"`.
 */
import type { FastifyRequest } from 'fastify';
import { attachUploads } from '../core/records/record-files.js';
import type { RecordService } from '../core/records/record-service.js';
import { findRecord } from '../core/records/record-store.js';
import type { WriteScope } from '../core/records/write-scope.js';
import type { RequestInfo } from '../core/rules/request-info.js';
import { badRequest } from '../errors/app-error.js';
import { parseBatchAction, upsertId, type BatchAction, type BatchRequest } from './batch-request.js';
import { parseFieldsPicker, type FieldsPicker } from './fields-picker.js';
import { parseExpand } from './list-params.js';
import { requestInfo } from './request-auth.js';

/** The result of one sub-request, as the batch answer lists it. */
export interface BatchResult {
  status: number;
  body: unknown;
}

/** A sub-request whose url and query were read before the batch began. */
export interface PreparedBatchRequest {
  item: BatchRequest;
  action: BatchAction;
  expand: string[];
  picker: FieldsPicker;
}

/**
 * Reads a sub-request's action, `expand` and `fields` before the batch writes anything;
 * throws the sub-request's own 400 for an unsupported action or a bad `fields`.
 */
export function prepareBatchRequest(item: BatchRequest): PreparedBatchRequest {
  const action = parseBatchAction(item.method, item.url);
  if (!action) throw badRequest('Unsupported batch request action.');
  const picker = parseFieldsPicker(action.query.get('fields') ?? '');
  return { item, action, expand: parseExpand(action.query.get('expand') ?? ''), picker };
}

/** Runs a prepared sub-request within `scope`; throws the sub-request's own error (an AppError for client mistakes). */
export async function runBatchRequest(records: RecordService, outer: FastifyRequest, prepared: PreparedBatchRequest, scope: WriteScope): Promise<BatchResult> {
  const { item, action } = prepared;
  const c = records.collection(action.collection);
  const out = { expand: prepared.expand };
  const info = (method: string) => subRequestInfo(outer, item, method, action.query);
  // Files sent as `requests.<i>.<field>` join the body as the records routes join theirs.
  const input = action.kind === 'delete' ? item.body : await attachUploads(c, item.body, item.files);
  let body: Record<string, unknown>;
  switch (action.kind) {
    case 'create':
      body = await records.create(c, input, out, info('POST'), scope);
      break;
    case 'update':
      body = await records.update(c, action.id, input, out, info('PATCH'), scope);
      break;
    case 'delete':
      await records.delete(c, action.id, info('DELETE'), scope);
      return { status: 204, body: null };
    case 'upsert': {
      // Spec §7: an existing record named by `body.id` is updated, anything else is created.
      // NOTE: the lookup reads through the batch's transaction: on SQLite it holds the only connection.
      const id = upsertId(item.body);
      const exists = id !== '' && (await findRecord(scope.trx, c, id)) !== undefined;
      body = exists
        ? await records.update(c, id, input, out, info('PATCH'), scope)
        : await records.create(c, input, out, info('POST'), scope);
      break;
    }
  }
  return { status: 200, body: prepared.picker.pick(body) };
}

/**
 * The RequestInfo of a sub-request: the outer auth, the sub-request's method and query,
 * the outer headers overridden by the sub-request's own.
 */
function subRequestInfo(outer: FastifyRequest, item: BatchRequest, method: string, query: URLSearchParams): RequestInfo {
  const base = requestInfo(outer, 'batch');
  const headers = { ...base.headers };
  for (const [name, value] of Object.entries(item.headers)) {
    const key = name.toLowerCase().replace(/-/g, '_');
    // SECURITY: auth is the outer request's (spec §7); a sub-request cannot claim another
    // identity, not even in what `@request.headers.authorization` shows to a rule.
    if (key === 'authorization' || key === '__proto__') continue;
    headers[key] = value;
  }
  const firstValues: Record<string, string> = {};
  for (const [key, value] of query) {
    if (!Object.hasOwn(firstValues, key) && key !== '__proto__') firstValues[key] = value;
  }
  return { ...base, method, query: firstValues, headers };
}
