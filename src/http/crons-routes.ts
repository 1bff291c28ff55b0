/**
 * The crons API as PocketBase's (docs/api.md §9), superusers only:
 * `GET /api/crons` lists `[{id, expression}]` (the application's sorted by id,
 * then Plinth's own), `POST /api/crons/{id}` runs one now on this node, in the
 * background (204; 404 for an unknown id).
 */
import type { FastifyInstance } from 'fastify';
import type { CronScheduler } from '../core/jobs/cron-scheduler.js';
import { assertSuperuser } from './request-auth.js';

/** Registers the crons routes. */
export async function registerCronsRoutes(app: FastifyInstance, crons: CronScheduler): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));

    scope.get('/api/crons', async function listCrons() {
      return crons.list();
    });

    scope.post<{ Params: { id: string } }>('/api/crons/:id', async function runCron(request, reply) {
      crons.runNow(request.params.id);
      return reply.code(204).send();
    });
  });
}
