/**
 * The delivery log of a webhook (docs/webhooks.md §7): its `@deliver` jobs, newest first,
 * with what each attempt recorded; a manual retry; and the test event.
 */
import { notFound } from '../../errors/app-error.js';
import type { JobService } from '../jobs/job-service.js';
import type { JobView } from '../jobs/job-types.js';
import type { Webhook } from './webhook.js';
import { TEST_EVENT_TYPE } from './webhook-event.js';
import { DELIVER_JOB, type WebhookOutbox } from './webhook-outbox.js';

/** One delivery as the API shows it. */
export interface DeliveryJson {
  id: string;
  type: string;
  status: string;
  attempts: number;
  statusCode: number | null;
  bodyExcerpt: string;
  durationMs: number | null;
  lastError: string;
  created: string;
  updated: string;
}

/** A page of deliveries (docs/api.md §1.7). */
export interface DeliveryListJson {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: DeliveryJson[];
}

/** What the log needs. */
export interface WebhookDeliveriesDeps {
  outbox: WebhookOutbox;
  /** The job queue (built after the webhooks). */
  jobs: () => Pick<JobService, 'list' | 'get' | 'retry'>;
  /** How long `test` waits for its delivery's first attempt to end. */
  testWaitMs: number;
}

/** WebhookDeliveries reads and acts on the delivery jobs of webhooks. */
export class WebhookDeliveries {
  constructor(private readonly deps: WebhookDeliveriesDeps) {}

  /** A page of the webhook's deliveries, newest first. */
  async list(webhookId: string, page: number, perPage: number): Promise<DeliveryListJson> {
    const { items, total } = await this.deps.jobs().list({ name: DELIVER_JOB, tag: webhookId, page, perPage });
    return { page, perPage, totalItems: total, totalPages: Math.ceil(total / perPage), items: items.map(toDeliveryJson) };
  }

  /** One delivery of the webhook; 404 when it is not one of its. */
  async get(webhookId: string, deliveryId: string): Promise<DeliveryJson> {
    const job = await this.deps.jobs().get(deliveryId);
    if (!job || job.name !== DELIVER_JOB || job.tag !== webhookId) throw notFound();
    return toDeliveryJson(job);
  }

  /** Queues a delivery again now, with a fresh count of attempts; 404 when it is not one of the webhook's, 400 while it runs. */
  async retry(webhookId: string, deliveryId: string): Promise<DeliveryJson> {
    await this.get(webhookId, deliveryId);
    return toDeliveryJson(await this.deps.jobs().retry(deliveryId));
  }

  /**
   * Sends a `webhook.test` event to the webhook through the outbox, and returns its delivery
   * once the first attempt ended (or as it is after `testWaitMs`).
   */
  async test(w: Webhook): Promise<DeliveryJson> {
    const event = { type: TEST_EVENT_TYPE, payload: { webhookId: w.id, name: w.name }, timestamp: new Date().toISOString() };
    const { id } = await this.deps.outbox.deliverNow(w, event);
    const until = Date.now() + this.deps.testWaitMs;
    for (;;) {
      const d = await this.get(w.id, id);
      if (d.status !== 'queued' && d.status !== 'running') return d;
      if (Date.now() >= until) return d;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function toDeliveryJson(job: JobView): DeliveryJson {
  const payload = job.payload as { event?: { type?: unknown } } | null;
  const result = (job.result ?? {}) as { statusCode?: unknown; bodyExcerpt?: unknown; durationMs?: unknown };
  return {
    id: job.id,
    type: typeof payload?.event?.type === 'string' ? payload.event.type : '',
    status: job.status,
    attempts: job.attempts,
    statusCode: typeof result.statusCode === 'number' ? result.statusCode : null,
    bodyExcerpt: typeof result.bodyExcerpt === 'string' ? result.bodyExcerpt : '',
    durationMs: typeof result.durationMs === 'number' ? result.durationMs : null,
    lastError: job.lastError,
    created: job.created,
    updated: job.updated,
  };
}
