/**
 * The WebhookOutbox turns record changes and custom events into `@deliver` jobs, one per
 * matching webhook, inside the transaction that caused them (docs/webhooks.md §4): a write
 * that rolls back leaves no delivery, one that commits cannot lose its deliveries.
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Collection } from '../collections/collection.js';
import type { RecordChange, RecordOutbox } from '../records/record-outbox.js';
import { rootTable } from '../records/record-store.js';
import type { RecordAction, WriteScope } from '../records/write-scope.js';
import { isFilterError } from '../../filter/filter-error.js';
import type { RuleCompiler } from '../rules/rule-compiler.js';
import { guestRequest } from '../rules/request-info.js';
import type { BackoffSpec, Jobs } from '../jobs/job-types.js';
import type { Webhook } from './webhook.js';
import { customEvent, fitEvent, recordEvent, type OutboundEvent } from './webhook-event.js';
import type { WebhookIndex } from './webhook-index.js';

/** The name of the job that delivers one event to one webhook. */
export const DELIVER_JOB = '@deliver';

/** The payload of a `@deliver` job. */
export interface DeliverPayload {
  webhookId: string;
  event: OutboundEvent;
}

/** How deliveries are retried: about a day of exponential backoff by default (docs/webhooks.md §6). */
export interface DeliveryPolicy {
  attempts: number;
  backoff: BackoffSpec;
  /** The time one attempt may take. */
  timeoutMs: number;
}

/** 10 s, 20 s, … capped at 1 h: 30 attempts span about 21 hours. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  attempts: 30,
  backoff: { type: 'exponential', delayMs: 10_000, maxDelayMs: 3_600_000 },
  timeoutMs: 10_000,
};

/** The part of the job queue the outbox uses. */
export type OutboxQueue = Pick<Jobs, 'enqueue'>;

/** What the outbox needs. */
export interface WebhookOutboxDeps {
  index: WebhookIndex;
  compiler: RuleCompiler;
  /** The job queue; read when an event is captured (it is built after the record service). */
  queue: () => OutboxQueue;
  policy: DeliveryPolicy;
}

/** WebhookOutbox is the RecordOutbox of webhooks, and the channel of custom events. */
export class WebhookOutbox implements RecordOutbox {
  constructor(private readonly deps: WebhookOutboxDeps) {}

  wants(collection: Collection, action: RecordAction): boolean {
    return this.deps.index.forRecord(collection, action).length > 0;
  }

  async capture(scope: WriteScope, change: RecordChange): Promise<void> {
    const c = change.collection;
    const id = String(change.record.id);
    let event: OutboundEvent | undefined;
    for (const w of this.deps.index.forRecord(c, change.action)) {
      if (w.filter !== '' && !(await this.matches(scope.trx, w, c, id))) continue;
      event ??= fitEvent(recordEvent(change));
      // Deliveries of one record to one webhook run in order (the queue holds later ones back).
      await this.enqueue(w, event, `${w.id}:${c.name}:${id}`, scope);
    }
  }

  /** Enqueues a custom event for every webhook subscribed to its type, in `scope`'s transaction. */
  async publish(scope: WriteScope, type: string, payload: unknown): Promise<number> {
    const webhooks = this.deps.index.forCustom(type);
    if (webhooks.length === 0) return 0;
    const event = customEvent(type, payload);
    for (const w of webhooks) await this.enqueue(w, event, undefined, scope);
    return webhooks.length;
  }

  /** Enqueues one event for one webhook outside any record write (the test endpoint). */
  deliverNow(w: Webhook, event: OutboundEvent): Promise<{ id: string }> {
    return this.enqueue(w, event, undefined, undefined);
  }

  /** One `@deliver` job, tagged with its webhook (the delivery log lists by tag). */
  private enqueue(w: Webhook, event: OutboundEvent, orderKey: string | undefined, scope: WriteScope | undefined): Promise<{ id: string }> {
    const { attempts, backoff } = this.deps.policy;
    const payload: DeliverPayload = { webhookId: w.id, event };
    return this.deps.queue().enqueue(DELIVER_JOB, payload, { orderKey, tag: w.id, attempts, backoff }, scope);
  }

  /**
   * Whether the stored row matches the webhook's filter, read in the write's transaction.
   * A filter that does not compile for this collection (a wildcard pattern, or a field since
   * removed) matches nothing.
   */
  private async matches(trx: Executor, w: Webhook, c: Collection, id: string): Promise<boolean> {
    let cond;
    try {
      cond = this.deps.compiler.compileRule(w.filter, { collection: c, rootAlias: 'root', request: guestRequest(), mode: 'rule' }).condition;
    } catch (err) {
      if (isFilterError(err)) return false;
      throw err;
    }
    const { rows } = await sql`SELECT 1 FROM ${rootTable(c)} WHERE root.${sql.ref('id')} = ${id} AND (${cond}) LIMIT 1`.execute(trx);
    return rows.length > 0;
  }
}
