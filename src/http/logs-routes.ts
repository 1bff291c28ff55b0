/**
 * The logs API (docs/api.md §9, docs/operations.md §Logs), superusers only, as
 * PocketBase's: `GET /api/logs` (page, perPage, sort, filter over `id, created,
 * level, message, data.*`), `GET /api/logs/stats?filter=` (`[{total, date}]` per
 * hour), `GET /api/logs/{id}` and `DELETE /api/logs` (PocketBase v0.40: deletes every
 * entry, keeps the retention setting).
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../errors/app-error.js';
import type { LogStore } from '../core/logs/log-store.js';
import type { LogWriter } from '../core/logs/log-writer.js';
import { firstQueryValue, parseListParams } from './list-params.js';
import { MAX_FILTER_LENGTH } from '../filter/filter-limits.js';
import { assertSuperuser } from './request-auth.js';
import { skipSuccessLog } from './request-log.js';

/** What the logs routes need. */
export interface LogsRoutesDeps {
  store: LogStore;
  writer: LogWriter;
}

/** Registers the logs routes. */
export async function registerLogsRoutes(app: FastifyInstance, deps: LogsRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));

    scope.get('/api/logs', async function listLogs(request) {
      const q = parseListParams(request.query);
      const { items, total } = await deps.store.list({ page: q.page, perPage: q.perPage, filter: q.filter, sort: q.sort, withTotal: !q.skipTotal });
      const totalPages = total < 0 ? -1 : Math.ceil(total / q.perPage);
      return { page: q.page, perPage: q.perPage, totalItems: total, totalPages, items };
    });

    scope.get('/api/logs/stats', async function logsStats(request) {
      const filter = firstQueryValue(request.query, 'filter');
      if (filter.length > MAX_FILTER_LENGTH) throw badRequest('Invalid filter format.');
      return deps.store.stats(filter);
    });

    scope.get<{ Params: { id: string } }>('/api/logs/:id', async function viewLog(request) {
      const entry = await deps.store.get(request.params.id);
      if (!entry) throw notFound();
      return entry;
    });

    scope.delete('/api/logs', async function deleteLogs(request, reply) {
      // Entries still waiting in the buffer are older than this request: they go too.
      await deps.writer.flush();
      await deps.store.deleteAll();
      // The truncation does not log itself into the emptied store (unless it fails).
      skipSuccessLog(request);
      return reply.code(204).send();
    });
  });
}
