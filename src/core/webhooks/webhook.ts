/**
 * A Webhook is an operator's subscription to Plinth's events (docs/webhooks.md §2):
 * where to send them, which ones, and the secret their signatures are made with.
 * This module holds its shape and the grammar of its event patterns.
 */
import type { Schema } from '../collections/schema.js';
import { redactTarget } from '../events/redact-target.js';
import type { RecordAction } from '../records/write-scope.js';

/** The fields of a webhook that a client sets. */
export interface WebhookInput {
  name: string;
  /** http(s) receiver, or an amqp(s):// / nats:// broker target. */
  url: string;
  events: string[];
  /** A filter on the record of a record event ('' for none; docs/webhooks.md §3). */
  filter: string;
  headers: Record<string, string>;
  active: boolean;
}

/** A stored webhook. */
export interface Webhook extends WebhookInput {
  id: string;
  /** `whsec_<base64>`: the Standard Webhooks signing secret. */
  secret: string;
  created: string;
  updated: string;
}

/**
 * A webhook as the API shows it: the target's password (or NATS token) masked
 * (docs/outbound.md §5); the signing secret shown, as the operator's receiver needs it.
 */
export function publicWebhook(w: Webhook): Webhook {
  return w.url.includes('@') ? { ...w, url: redactTarget(w.url) } : w;
}

/** One parsed entry of `events`. */
export type EventPattern =
  | { kind: 'all' }
  | { kind: 'record'; collection: string; action: RecordAction | '*' }
  | { kind: 'custom'; type: string };

/** The longest event pattern or custom event type. */
export const MAX_EVENT_LENGTH = 100;

const ACTIONS: ReadonlySet<string> = new Set(['create', 'update', 'delete', '*']);

/**
 * Parses an event pattern (docs/webhooks.md §3): `*`, `<collection|*>.<create|update|delete|*>`
 * — the collection must exist in `schema` when one is given — or a custom event type.
 * Returns the reason when it is invalid. Plain string code: the text comes from a request.
 */
export function parseEventPattern(text: string, schema?: Schema): EventPattern | string {
  if (text === '*') return { kind: 'all' };
  const shape = checkEventName(text, true);
  if (shape) return shape;
  const parts = text.split('.');
  const last = parts[parts.length - 1]!;
  if (parts.length === 2 && ACTIONS.has(last)) {
    const collection = parts[0]!;
    if (collection !== '*' && schema && !schema.find(collection)) return `unknown collection "${collection}"`;
    return { kind: 'record', collection, action: last as RecordAction | '*' };
  }
  if (parts.includes('*')) return '"*" stands only for a whole collection or action';
  return { kind: 'custom', type: text };
}

/**
 * The reason a custom event type given to `app.events.publish` is refused, or null: the
 * grammar of a pattern without `*`, and not shaped like a record event (which would let
 * app code forge one).
 */
export function customTypeError(type: string): string | null {
  const shape = checkEventName(type, false);
  if (shape) return shape;
  const parts = type.split('.');
  if (parts.length === 2 && ACTIONS.has(parts[1]!)) return 'a custom event type cannot look like a record event (<collection>.<action>)';
  return null;
}

/**
 * Checks the characters of an event name: dot-separated segments of letters, digits, `_`
 * and `-` (and a lone `*` segment where wildcards are allowed), at most MAX_EVENT_LENGTH long.
 */
function checkEventName(text: string, wildcards: boolean): string | null {
  if (text.length === 0 || text.length > MAX_EVENT_LENGTH) return `must be 1 to ${MAX_EVENT_LENGTH} characters`;
  for (const segment of text.split('.')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '*' && wildcards) continue;
    for (let i = 0; i < segment.length; i++) {
      if (!isNameChar(segment.charCodeAt(i))) return `has an invalid character "${segment[i]}"`;
    }
  }
  return null;
}

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

/**
 * Whether a pattern takes a record event of this collection (given by its name and id) and
 * action. Plinth's own `_` collections (`_superusers`, `_otps`, …) are taken only by a
 * pattern that names them, never by a `*` (docs/webhooks.md §3).
 */
export function patternTakesRecord(p: EventPattern, names: readonly [name: string, id: string], action: RecordAction): boolean {
  const internal = names[0].startsWith('_');
  if (p.kind === 'all') return !internal;
  if (p.kind !== 'record') return false;
  if (p.action !== '*' && p.action !== action) return false;
  if (p.collection === '*') return !internal;
  return names.some((n) => n.toLowerCase() === p.collection.toLowerCase());
}

/** Whether a pattern takes a custom event of this type. */
export function patternTakesCustom(p: EventPattern, type: string): boolean {
  return p.kind === 'all' || (p.kind === 'custom' && p.type === type);
}
