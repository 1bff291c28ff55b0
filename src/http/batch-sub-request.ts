/**
 * Runs one sub-request of `POST /api/batch` (docs/api.md §7) through the RecordService
 * inside the batch's transaction, as the records routes would run it: its own
 * rules, `expand` and `fields`, the outer request's auth and `@request.context = "batch"`,
 * and its record request hook (as PocketBase runs them for sub-requests too).
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
import { HookedAction, type RecordRequestEvent, type RecordRequestHooks } from './record-request-hooks.js';
import type { SubRequest } from './request-event.js';
import type { Hook } from '../tools/hook.js';

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
export async function runBatchRequest(
  records: RecordService, hooks: RecordRequestHooks, outer: FastifyRequest, prepared: PreparedBatchRequest, scope: WriteScope,
): Promise<BatchResult> {
  const { item, action } = prepared;
  const c = records.collection(action.collection);
  const out = { expand: prepared.expand };
  const fields = prepared.picker;
  const info = (method: string) => subRequestInfo(outer, item, method, action.query);
  // With no handler bound, no event is built (the fast path).
  const hooked = (hook: Hook<RecordRequestEvent>, req: RequestInfo, id?: string) => (hook.isEmpty
    ? undefined
    : new HookedAction(hook, hooks.appFor, outer, subRequest(outer, item, req, action.collection, id)));
  // Files sent as `requests.<i>.<field>` join the body as the records routes join theirs.
  const input = action.kind === 'delete' ? item.body : await attachUploads(c, item.body, item.files);
  const create = async () => {
    const req = info('POST');
    const h = hooked(hooks.onRecordCreateRequest, req);
    return answer(h, await records.create(c, input, out, req, scope, h?.intercept), fields);
  };
  const update = async (id: string) => {
    const req = info('PATCH');
    const h = hooked(hooks.onRecordUpdateRequest, req, id);
    return answer(h, await records.update(c, id, input, out, req, scope, h?.intercept), fields);
  };
  switch (action.kind) {
    case 'create':
      return create();
    case 'update':
      return update(action.id);
    case 'delete': {
      const req = info('DELETE');
      const h = hooked(hooks.onRecordDeleteRequest, req, action.id);
      await records.delete(c, action.id, req, scope, h?.intercept);
      return answer(h, undefined, fields);
    }
    case 'upsert': {
      // docs/api.md §7: an existing record named by `body.id` is updated, anything else is created.
      // NOTE: the lookup reads through the batch's transaction: on SQLite it holds the only connection.
      const id = upsertId(item.body);
      const exists = id !== '' && (await findRecord(scope.trx, c, id)) !== undefined;
      return exists ? update(id) : create();
    }
  }
}

/** A sub-request's result: what a hook answered, else the record (200) or nothing (204). */
function answer(hooked: HookedAction<unknown> | undefined, body: Record<string, unknown> | undefined, fields: FieldsPicker): BatchResult {
  const response = hooked?.event?.response;
  if (response) return { status: response.status, body: response.data ?? (typeof response.body === 'string' ? response.body : null) };
  if (body === undefined) return { status: 204, body: null };
  return { status: 200, body: fields.pick(body) };
}

/** The request a sub-request's hook sees: its own method, url, headers, query and body; the outer auth. */
function subRequest(outer: FastifyRequest, item: BatchRequest, info: RequestInfo, collection: string, id: string | undefined): SubRequest {
  const headers: FastifyRequest['headers'] = { ...outer.headers };
  for (const [name, value] of Object.entries(item.headers)) {
    const key = name.toLowerCase();
    // SECURITY: auth is the outer request's (docs/api.md §7), as in subRequestInfo.
    if (key === 'authorization' || key === '__proto__') continue;
    headers[key] = value;
  }
  const params: Record<string, string> = id === undefined ? { collection } : { collection, id };
  return { method: info.method, url: item.url, headers, query: info.query, params, body: item.body, info: { ...info, body: item.body } };
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
    // SECURITY: auth is the outer request's (docs/api.md §7); a sub-request cannot claim another
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
