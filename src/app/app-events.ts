/**
 * `app.events` (docs/webhooks.md §8): app code publishes custom events through the same
 * outbox as record events, in the app's transaction when it is bound to one.
 */
import { badRequest } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import { customTypeError } from '../core/webhooks/webhook.js';
import type { WebhookOutbox } from '../core/webhooks/webhook-outbox.js';
import type { WebhookIndex } from '../core/webhooks/webhook-index.js';
import type { WriteScope } from '../core/records/write-scope.js';

/** The events API of app code. */
export interface AppEvents {
  /**
   * Sends a custom event to every active webhook subscribed to `type` (or to `*`); the
   * delivery is enqueued in the current transaction (`runInTransaction`, a record hook) or
   * in one of its own, and leaves only once that commits. `payload` must be JSON.
   * Resolves with the number of webhooks it was queued for.
   */
  publish(type: string, payload?: unknown): Promise<number>;
}

/** What `app.events` needs: the outbox and a way to run in the app's transaction. */
export interface AppEventsDeps {
  index: WebhookIndex;
  outbox: WebhookOutbox;
  inScope: <T>(fn: (scope: WriteScope) => Promise<T>) => Promise<T>;
}

/** Builds `app.events` for one app (bound to a transaction or not). */
export function createAppEvents(deps: AppEventsDeps): AppEvents {
  return {
    async publish(type, payload) {
      const reason = typeof type === 'string' ? customTypeError(type) : 'not a string';
      if (reason !== null) throw badRequest('Invalid event type.', { type: codeError('validation_invalid_event_type', { reason }) });
      // JSON only: the payload is stored on the delivery job and sent as JSON.
      if (payload !== undefined) JSON.stringify(payload);
      // Nobody subscribed: no transaction is opened.
      if (deps.index.forCustom(type).length === 0) return 0;
      return deps.inScope((scope) => deps.outbox.publish(scope, type, payload));
    },
  };
}
