/**
 * `GET /api/settings` and `PATCH /api/settings` (docs/api.md §9), superusers only.
 */
import type { FastifyInstance } from 'fastify';
import { publicSettings } from '../core/settings/settings.js';
import type { SettingsService } from '../core/settings/settings-service.js';
import { assertSuperuser } from './request-auth.js';
import { recordBody } from './record-body-input.js';

/** Registers the settings routes. */
export async function registerSettingsRoutes(app: FastifyInstance, settings: SettingsService): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));
    scope.get('/api/settings', async () => publicSettings(settings.get()));
    scope.patch('/api/settings', async (request) => publicSettings(await settings.patch(recordBody(request))));
  });
}
