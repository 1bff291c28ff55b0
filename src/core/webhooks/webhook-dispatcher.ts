/**
 * The dispatcher is the `@deliver` job's handler (docs/webhooks.md §6): it sends one event
 * to one webhook — an http(s) POST signed the Standard Webhooks way through the node's
 * guarded OutboundHttp — and records what happened on the job. A non-2xx answer, a timeout
 * or a refused address fails the attempt, and the job queue retries it with backoff.
 */
import { Webhook as Signer } from 'standardwebhooks';
import type { OutboundHttp } from '../../tools/outbound-http.js';
import type { BrokerPublishers } from '../events/broker-publisher.js';
import type { Webhook } from './webhook.js';
import type { DeliverPayload } from './webhook-outbox.js';

/** What one attempt records on its job (`result`), whether it succeeds or fails. */
export interface DeliveryResult {
  statusCode: number;
  /** The start of the answer's body, at most EXCERPT_BYTES bytes as text. */
  bodyExcerpt: string;
  durationMs: number;
  error?: string;
}

/** The part of a job's context the dispatcher uses (JobContext of src/core/jobs). */
export interface DeliveryContext {
  id: string;
  payload: DeliverPayload;
  signal: AbortSignal;
  setResult(value: unknown): void;
}

/** What the dispatcher needs. */
export interface WebhookDispatcherDeps {
  outbound: OutboundHttp;
  /** The webhook with this id, or undefined once it is deleted. */
  findWebhook: (id: string) => Promise<Webhook | undefined>;
  timeoutMs: number;
  /** The publishers of amqp(s):// and nats:// targets (docs/outbound.md §2). */
  brokers?: BrokerPublishers;
}

/** The bytes of an answer kept in the delivery log. */
export const EXCERPT_BYTES = 1024;
/** The largest answer read; a larger one fails the attempt. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Builds the `@deliver` handler. */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps): (ctx: DeliveryContext) => Promise<DeliveryResult | { skipped: string }> {
  return async (ctx) => {
    const w = await deps.findWebhook(ctx.payload.webhookId);
    // A webhook deleted after the event was captured: nothing to send, nothing to retry.
    if (!w) return { skipped: 'the webhook was deleted' };
    const body = JSON.stringify(ctx.payload.event);
    if (deps.brokers?.isBrokerUrl(w.url)) return sendToBroker(deps.brokers, deps.timeoutMs, w, ctx, body);
    return postSigned(deps, w, ctx, body);
  };
}

/** The Standard Webhooks headers of one attempt: the id stays, the timestamp is now. */
export function signatureHeaders(secret: string, messageId: string, body: string, now = new Date()): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Signer(secret).sign(messageId, now, body),
  };
}

async function postSigned(deps: WebhookDispatcherDeps, w: Webhook, ctx: DeliveryContext, body: string): Promise<DeliveryResult> {
  const started = performance.now();
  const headers = { ...w.headers, 'content-type': 'application/json', ...signatureHeaders(w.secret, ctx.id, body) };
  let result: DeliveryResult;
  try {
    const reply = await deps.outbound.request({ url: w.url, method: 'POST', headers, body, timeoutMs: deps.timeoutMs, maxBytes: MAX_ANSWER_BYTES });
    result = { statusCode: reply.statusCode, bodyExcerpt: excerpt(reply.body), durationMs: elapsed(started) };
  } catch (err) {
    result = { statusCode: 0, bodyExcerpt: '', durationMs: elapsed(started), error: err instanceof Error ? err.message : String(err) };
    ctx.setResult(result);
    throw err;
  }
  ctx.setResult(result);
  if (result.statusCode < 200 || result.statusCode > 299) throw new Error(`the receiver answered ${result.statusCode}`);
  return result;
}

/**
 * Publishes to a broker and waits for its confirm (RabbitMQ) or ack (JetStream); the
 * message id is the delivery's, and the headers carry the same signature as a POST's.
 */
async function sendToBroker(brokers: BrokerPublishers, timeoutMs: number, w: Webhook, ctx: DeliveryContext, body: string): Promise<DeliveryResult> {
  const started = performance.now();
  const message = { id: ctx.id, subject: `plinth.${ctx.payload.event.type}`, body, headers: { ...w.headers, ...signatureHeaders(w.secret, ctx.id, body) } };
  try {
    await brokers.publisherFor(w.url).publish(message, AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]));
  } catch (err) {
    ctx.setResult({ statusCode: 0, bodyExcerpt: '', durationMs: elapsed(started), error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  const result = { statusCode: 0, bodyExcerpt: '', durationMs: elapsed(started) };
  ctx.setResult(result);
  return result;
}

/** The first EXCERPT_BYTES bytes as text (a cut multi-byte character becomes U+FFFD). */
function excerpt(body: Buffer): string {
  return body.subarray(0, EXCERPT_BYTES).toString('utf8');
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
