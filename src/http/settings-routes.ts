/**
 * `GET /api/settings` and `PATCH /api/settings` (docs/api.md §9), superusers only.
 */
import type { FastifyInstance } from 'fastify';
import { publicSettings } from '../core/settings/settings.js';
import type { SettingsService } from '../core/settings/settings-service.js';
import { assertSuperuser } from './request-auth.js';
import { recordBody } from './record-body-input.js';
import { respondHooked, runRequestHook, SettingsListRequestEvent, SettingsUpdateRequestEvent, type AdminHooks } from './admin-hooks.js';

/** Registers the settings routes, with their request hooks. */
export async function registerSettingsRoutes(app: FastifyInstance, settings: SettingsService, hooks: AdminHooks): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));

    scope.get('/api/settings', async function listSettings(request, reply) {
      if (hooks.onSettingsListRequest.isEmpty) return publicSettings(settings.get());
      const e = new SettingsListRequestEvent(hooks.app(), request, publicSettings(settings.get()));
      const ran = await runRequestHook(hooks.onSettingsListRequest, e, [], () => undefined);
      return respondHooked(e, reply, ran, 200, () => e.settings);
    });

    scope.patch('/api/settings', async function updateSettings(request, reply) {
      if (hooks.onSettingsUpdateRequest.isEmpty) return publicSettings(await settings.patch(recordBody(request)));
      const e = new SettingsUpdateRequestEvent(hooks.app(), request, structuredClone(settings.get()), settings.draft(recordBody(request)));
      const ran = await runRequestHook(hooks.onSettingsUpdateRequest, e, [], async (ev) => {
        ev.newSettings = await settings.save(ev.newSettings);
      });
      return respondHooked(e, reply, ran, 200, () => publicSettings(e.newSettings));
    });
  });
}
