/**
 * `POST /api/batch` (docs/api.md §7): record create, update, upsert and delete
 * sub-requests run in order in one transaction, each with its own rules and the
 * outer request's auth; any failure rolls all of them back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { batchDeadline, BatchAbortedError, BatchStepError, runBatch } from '../core/batch/batch-runner.js';
import type { RecordService } from '../core/records/record-service.js';
import type { WriteScope } from '../core/records/write-scope.js';
import type { SettingsService } from '../core/settings/settings-service.js';
import { badRequest, forbidden, type FieldError } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import { parseBatchRequests, type BatchRequest } from './batch-request.js';
import { BatchRequestEvent, respondHooked, runRequestHook, type AdminHooks } from './admin-hooks.js';
import { dynamicBodyLimit } from './body-parser.js';
import { prepareBatchRequest, runBatchRequest, type BatchResult } from './batch-sub-request.js';
import { toAppError } from './error-handler.js';
import type { RecordRequestHooks } from './record-request-hooks.js';
import { UserCodeError } from '../errors/user-code-error.js';
import { recordBody } from './record-body-input.js';

/** The batch body limit when settings give none (docs/api.md §1.1: 128 MiB). */
export const DEFAULT_BATCH_BODY_LIMIT = 128 << 20;

/** The transaction timeout when settings give none (docs/api.md §7: 3 s). */
export const DEFAULT_BATCH_TIMEOUT_SECONDS = 3;

/** What the batch routes need. */
export interface BatchRoutesDeps {
  records: RecordService;
  settings: SettingsService;
  /** The record request hooks, which run for each sub-request as for a request of its own. */
  hooks: RecordRequestHooks;
  /** `onBatchRequest`; with no handler bound the route builds no event. */
  adminHooks: AdminHooks;
}

/** Registers `POST /api/batch`. */
export function registerBatchRoutes(app: FastifyInstance, deps: BatchRoutesDeps): void {
  const { records, settings, hooks, adminHooks } = deps;
  const bodyLimit = (): number => {
    const size = settings.get().batch.maxBodySize;
    return size > 0 ? size : DEFAULT_BATCH_BODY_LIMIT;
  };

  app.post('/api/batch', {
    // NOTE: settings may change the limit at runtime while Fastify fixes a route's limit at
    // start-up, so the limit is resolved per request (docs/api.md §1.1: `batch.maxBodySize`).
    ...dynamicBodyLimit(bodyLimit),
    // Before the body is read: a disabled batch answers 403 whatever its size.
    onRequest: async function assertBatchAllowed() {
      const { batch } = settings.get();
      if (!batch.enabled || batch.maxRequests <= 0) throw forbidden('Batch requests are not allowed.');
    },
  }, async function runBatchRequests(request, reply) {
    const requests = parseBatchRequests(recordBody(request), request.uploadedFiles, settings.get().batch.maxRequests);
    if (adminHooks.onBatchRequest.isEmpty) return runRequests(request, reply, requests);
    const e = new BatchRequestEvent(adminHooks.app(), request, requests);
    let results: BatchResult[] = [];
    const ran = await runRequestHook(adminHooks.onBatchRequest, e, [], async (ev) => {
      results = await runRequests(request, reply, ev.batch);
    });
    return respondHooked(e, reply, ran, 200, () => results);
  });

  /** Runs the sub-requests in one transaction; the first failure rolls all of them back. */
  async function runRequests(request: FastifyRequest, reply: FastifyReply, requests: readonly BatchRequest[]): Promise<BatchResult[]> {
    const { batch } = settings.get();
    const timeout = (batch.timeout > 0 ? batch.timeout : DEFAULT_BATCH_TIMEOUT_SECONDS) * 1000;
    const client = clientGone(reply);
    const deadline = batchDeadline(timeout, client.signal);
    try {
      // Every sub-request's url and query are read before the first one writes.
      const prepared = requests.map((item, index) => {
        try {
          return prepareBatchRequest(item);
        } catch (err) {
          throw new BatchStepError(index, err);
        }
      });
      const steps = prepared.map((item) => (scope: WriteScope) => runBatchRequest(records, hooks, request, item, scope));
      // The timeout bounds the statements too: one running when it passes is stopped (docs/api.md §7).
      return await runBatch<BatchResult>((fn) => records.inTransactionWithin(timeout / 1000, fn), steps, deadline.signal);
    } catch (err) {
      throw batchError(request, err);
    } finally {
      deadline.clear();
      client.dispose();
    }
  }
}

/** The docs/api.md §7 answer for a failed batch: the failing index and that sub-request's error body. */
function batchError(request: FastifyRequest, err: unknown): unknown {
  if (err instanceof BatchAbortedError) return badRequest('Batch transaction failed.', {}, err);
  if (!(err instanceof BatchStepError)) return err;
  const response = toAppError(err.cause);
  if (response.status >= 500 || response instanceof UserCodeError) {
    request.log.error({ err: response instanceof UserCodeError ? response.cause : err.cause, reqId: request.id, index: err.index }, 'batch sub-request failed');
  }
  const failure: FieldError & { response: unknown } = { ...codeError('batch_request_failed'), response: response.toJSON() };
  return badRequest('Batch transaction failed.', { requests: { [String(err.index)]: failure } }, err);
}

/** A signal that aborts when the client closes the connection before the answer is written. */
function clientGone(reply: FastifyReply): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) controller.abort(new Error('batch request interrupted'));
  };
  reply.raw.on('close', onClose);
  return { signal: controller.signal, dispose: () => reply.raw.off('close', onClose) };
}
