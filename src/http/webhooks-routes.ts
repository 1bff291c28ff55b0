/**
 * The webhooks API (docs/webhooks.md §2, §7), superusers only: the webhooks themselves,
 * their delivery log, a manual retry and a test event.
 */
import type { FastifyInstance } from 'fastify';
import type { WebhookService } from '../core/webhooks/webhook-service.js';
import type { WebhookDeliveries } from '../core/webhooks/webhook-deliveries.js';
import { publicWebhook } from '../core/webhooks/webhook.js';
import { parseListParams } from './list-params.js';
import { recordBody } from './record-body-input.js';
import { assertSuperuser } from './request-auth.js';

type Params = { id: string };
type DeliveryParams = { id: string; deliveryId: string };

/** What the webhooks routes need. */
export interface WebhookRoutesDeps {
  webhooks: WebhookService;
  deliveries: WebhookDeliveries;
}

/** Registers the webhooks routes. */
export async function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRoutesDeps): Promise<void> {
  // An encapsulated scope: the superuser guard applies to these routes only.
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));
    webhookRoutes(scope, deps);
    deliveryRoutes(scope, deps);
  });
}

function webhookRoutes(app: FastifyInstance, { webhooks }: WebhookRoutesDeps): void {
  app.get('/api/webhooks', async function listWebhooks(request) {
    const { page, perPage } = parseListParams(request.query);
    return webhooks.list(page, perPage);
  });

  app.post('/api/webhooks', async function createWebhook(request) {
    return publicWebhook(await webhooks.create(recordBody(request)));
  });

  app.get<{ Params: Params }>('/api/webhooks/:id', async function viewWebhook(request) {
    return publicWebhook(await webhooks.get(request.params.id));
  });

  app.patch<{ Params: Params }>('/api/webhooks/:id', async function updateWebhook(request) {
    return publicWebhook(await webhooks.update(request.params.id, recordBody(request)));
  });

  app.delete<{ Params: Params }>('/api/webhooks/:id', async function deleteWebhook(request, reply) {
    await webhooks.delete(request.params.id);
    return reply.code(204).send();
  });
}

function deliveryRoutes(app: FastifyInstance, { webhooks, deliveries }: WebhookRoutesDeps): void {
  app.get<{ Params: Params }>('/api/webhooks/:id/deliveries', async function listDeliveries(request) {
    const w = await webhooks.get(request.params.id);
    const { page, perPage } = parseListParams(request.query);
    return deliveries.list(w.id, page, perPage);
  });

  app.post<{ Params: DeliveryParams }>('/api/webhooks/:id/deliveries/:deliveryId/retry', async function retryDelivery(request) {
    const w = await webhooks.get(request.params.id);
    return deliveries.retry(w.id, request.params.deliveryId);
  });

  app.post<{ Params: Params }>('/api/webhooks/:id/test', async function testWebhook(request) {
    const w = await webhooks.get(request.params.id);
    return deliveries.test(w);
  });
}
