/**
 * The body of an event as it leaves Plinth (docs/webhooks.md §5): a record event
 * `{type, collection, record, oldRecord?, timestamp}` or a custom one `{type, payload, timestamp}`.
 */
import type { RecordChange } from '../records/record-outbox.js';
import { serializeRecord } from '../records/record-serialize.js';

/** An event as delivered. */
export interface OutboundEvent {
  type: string;
  collection?: string;
  record?: Record<string, unknown>;
  oldRecord?: Record<string, unknown>;
  payload?: unknown;
  /** When the event happened, ISO 8601 in UTC. */
  timestamp: string;
  /** Set when the records were too large to send whole: they carry only their ids. */
  truncated?: true;
}

/** The largest event body queued whole (the job queue takes payloads up to 1 MB). */
export const MAX_EVENT_BYTES = 512 * 1024;

/** The type of the event `POST /api/webhooks/{id}/test` sends. */
export const TEST_EVENT_TYPE = 'webhook.test';

/**
 * The event of a record change. Records are shown as to a superuser — hidden fields
 * included — because a webhook is the operator's own channel; SECURITY: password hashes
 * and token keys never leave (serializeRecord drops them for every viewer).
 */
export function recordEvent(change: RecordChange, now = new Date()): OutboundEvent {
  const c = change.collection;
  const vis = { showHidden: true, showEmail: true };
  const event: OutboundEvent = { type: `${c.name}.${change.action}`, collection: c.name, record: serializeRecord(c, change.record, vis), timestamp: now.toISOString() };
  if (change.oldRecord) event.oldRecord = serializeRecord(c, change.oldRecord, vis);
  return event;
}

/**
 * The event as it fits the outbox: a record event over MAX_EVENT_BYTES keeps only the ids of
 * its records (`truncated: true`; the receiver reads the record through the API), so a large
 * record never makes its write fail (docs/webhooks.md §5).
 */
export function fitEvent(event: OutboundEvent): OutboundEvent {
  if (!event.record || Buffer.byteLength(JSON.stringify(event)) <= MAX_EVENT_BYTES) return event;
  const ids = (r: Record<string, unknown>) => ({ collectionId: r.collectionId, collectionName: r.collectionName, id: r.id });
  return { ...event, record: ids(event.record), ...(event.oldRecord ? { oldRecord: ids(event.oldRecord) } : {}), truncated: true };
}

/** The event of `app.events.publish(type, payload)`. */
export function customEvent(type: string, payload: unknown, now = new Date()): OutboundEvent {
  return { type, payload: payload ?? null, timestamp: now.toISOString() };
}
