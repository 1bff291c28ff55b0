/**
 * The delivery log of a webhook (docs/webhooks.md §7): its `@deliver` jobs, newest first,
 * with what each attempt recorded; a manual retry; and the test event.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { notFound } from '../../errors/app-error.js';
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

/** The part of the job queue the log uses (the `Jobs` port of src/core/jobs). */
export interface DeliveryJobs {
  retry(id: string): Promise<unknown>;
}

/** What the log needs. */
export interface WebhookDeliveriesDeps {
  db: Db;
  outbox: WebhookOutbox;
  jobs: () => DeliveryJobs;
  /** How long `test` waits for its delivery's first attempt to end. */
  testWaitMs: number;
}

/** WebhookDeliveries reads and acts on the delivery jobs of webhooks. */
export class WebhookDeliveries {
  constructor(private readonly deps: WebhookDeliveriesDeps) {}

  /** A page of the webhook's deliveries, newest first. */
  async list(webhookId: string, page: number, perPage: number): Promise<DeliveryListJson> {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM _jobs WHERE ${sql.ref('tag')} = ${webhookId} AND ${sql.ref('name')} = ${DELIVER_JOB}
      ORDER BY ${sql.ref('seq')} DESC LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`.execute(this.deps.db);
    const { rows: count } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM _jobs WHERE ${sql.ref('tag')} = ${webhookId} AND ${sql.ref('name')} = ${DELIVER_JOB}`.execute(this.deps.db);
    const totalItems = Number(count[0]?.n ?? 0);
    return { page, perPage, totalItems, totalPages: Math.ceil(totalItems / perPage), items: rows.map(toDeliveryJson) };
  }

  /** One delivery of the webhook; 404 when it is not one of its. */
  async get(webhookId: string, deliveryId: string): Promise<DeliveryJson> {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM _jobs WHERE ${sql.ref('id')} = ${deliveryId} AND ${sql.ref('tag')} = ${webhookId} AND ${sql.ref('name')} = ${DELIVER_JOB}`.execute(this.deps.db);
    if (!rows[0]) throw notFound();
    return toDeliveryJson(rows[0]);
  }

  /** Queues a delivery again now, whatever its state; 404 when it is not one of the webhook's. */
  async retry(webhookId: string, deliveryId: string): Promise<DeliveryJson> {
    await this.get(webhookId, deliveryId);
    await this.deps.jobs().retry(deliveryId);
    return this.get(webhookId, deliveryId);
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

function toDeliveryJson(row: Record<string, unknown>): DeliveryJson {
  const payload = parseJson(row.payload) as { event?: { type?: unknown } } | undefined;
  const result = (parseJson(row.result) ?? {}) as { statusCode?: unknown; bodyExcerpt?: unknown; durationMs?: unknown; error?: unknown };
  return {
    id: String(row.id),
    type: typeof payload?.event?.type === 'string' ? payload.event.type : '',
    status: String(row.status ?? ''),
    attempts: Number(row.attempts ?? 0),
    statusCode: typeof result.statusCode === 'number' ? result.statusCode : null,
    bodyExcerpt: typeof result.bodyExcerpt === 'string' ? result.bodyExcerpt : '',
    durationMs: typeof result.durationMs === 'number' ? result.durationMs : null,
    lastError: String(row.lastError ?? ''),
    created: String(row.created ?? ''),
    updated: String(row.updated ?? ''),
  };
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return typeof value === 'object' ? value : undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
