/**
 * `GET /api/health` (spec §9).
 */
import type { FastifyInstance } from 'fastify';
import { isSuperuser } from './request-auth.js';

/** Registers the health route. */
export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/api/health', async function health(request) {
    const data = isSuperuser(request)
      ? { canBackup: false, realIP: request.ip, possibleProxyHeader: request.headers['x-forwarded-for'] ? 'X-Forwarded-For' : '' }
      : {};
    return { message: 'API is healthy.', code: 200, data };
  });
}
