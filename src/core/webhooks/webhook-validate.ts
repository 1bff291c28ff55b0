/**
 * Checks a webhook before it is saved (docs/webhooks.md §3): every field's errors in
 * the error body's `data`, nothing saved when any is found.
 */
import { badRequest, type ErrorData, type FieldError } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { parseFilterCached } from '../../filter/filter-cache.js';
import { isFilterError } from '../../filter/filter-error.js';
import { isPlainObject } from '../../tools/is-plain-object.js';
import type { Schema } from '../collections/schema.js';
import { RULE_PARSE_LIMITS, type RuleCompiler } from '../rules/rule-compiler.js';
import { redactTarget } from '../events/redact-target.js';
import { parseEventPattern, type EventPattern, type WebhookInput } from './webhook.js';


/** What the checks need. */
export interface WebhookValidateDeps {
  schema: Schema;
  compiler: RuleCompiler;
  /**
   * Why a target may not be used, or null: its scheme and every address its host resolves
   * to, against the node's outbound policy (OutboundHttp.checkTarget, docs/outbound.md §1).
   */
  checkTarget: (url: string) => Promise<string | null>;
  /** Why a broker target's form is wrong (an exchange or stream name, a parameter), or null; null for http(s). */
  targetProblem: (url: string) => string | null;
}

const MAX_NAME = 255;
const MAX_URL = 2048;
const MAX_EVENTS = 100;
const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 1024;
const MAX_HEADERS_BYTES = 8 * 1024;
const SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'amqp:', 'amqps:', 'nats:']);
/** Headers a webhook may not set: hop-by-hop ones, those the transport owns, and the signature's. */
const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'trailers',
  'transfer-encoding', 'upgrade', 'host', 'content-length', 'content-type', 'expect',
]);

/** Merges `body` over `base` (a PATCH) or over the defaults, and validates the result; a 400 naming each bad field. */
export async function validateWebhook(deps: WebhookValidateDeps, body: Record<string, unknown>, base?: WebhookInput): Promise<WebhookInput> {
  const errors: ErrorData = {};
  const pick = <K extends keyof WebhookInput>(key: K, fallback: WebhookInput[K]): unknown => (Object.hasOwn(body, key) ? body[key] : base ? base[key] : fallback);
  const name = pick('name', '');
  // The API shows a target with its password masked; that masked URL sent back keeps the stored one.
  const url = base && body.url === redactTarget(base.url) ? base.url : pick('url', '');
  const events = pick('events', []);
  const filter = pick('filter', '');
  const headers = pick('headers', {});
  const active = pick('active', true);

  if (typeof name !== 'string' || name.trim() === '') errors.name = codeError('validation_required');
  else if (name.length > MAX_NAME) errors.name = codeError('validation_length_too_long', { max: MAX_NAME });
  const urlError = await checkUrl(deps, url);
  if (urlError) errors.url = urlError;
  const parsed = parseEvents(deps.schema, events);
  if (!Array.isArray(parsed)) errors.events = parsed;
  const filterError = checkFilter(deps, filter, Array.isArray(parsed) ? parsed : []);
  if (filterError) errors.filter = filterError;
  const headersError = checkHeaders(headers);
  if (headersError) errors.headers = headersError;
  if (typeof active !== 'boolean') errors.active = codeError('validation_invalid_value');
  if (Object.keys(errors).length > 0) throw badRequest('Failed to save webhook.', errors);
  return {
    name: (name as string).trim(), url: url as string, events: events as string[], filter: (filter as string).trim(),
    headers: { ...(headers as Record<string, string>) }, active: active as boolean,
  };
}

async function checkUrl(deps: WebhookValidateDeps, url: unknown): Promise<FieldError | null> {
  if (typeof url !== 'string' || url.trim() === '') return codeError('validation_required');
  const bad = (reason: string) => codeError('validation_invalid_webhook_url', { reason });
  if (url.length > MAX_URL) return bad(`longer than ${MAX_URL} characters`);
  if (!URL.canParse(url)) return bad('not a URL');
  const parsed = new URL(url);
  if (!SCHEMES.has(parsed.protocol)) return bad(`unsupported scheme ${parsed.protocol}`);
  if (parsed.hostname === '') return bad('no host');
  const web = parsed.protocol === 'http:' || parsed.protocol === 'https:';
  // SECURITY: a receiver's URL carries no credentials (they would be logged and shown); use headers.
  if (web && (parsed.username !== '' || parsed.password !== '')) return bad('credentials in the URL; send them in a header');
  const problem = web ? null : deps.targetProblem(url);
  if (problem !== null) return bad(problem);
  const refused = await deps.checkTarget(url);
  return refused === null ? null : codeError('validation_refused_webhook_address', { reason: refused });
}

/** The parsed patterns, or the error of the first bad one. */
function parseEvents(schema: Schema, events: unknown): EventPattern[] | FieldError {
  if (!Array.isArray(events) || events.length === 0) return codeError('validation_required');
  if (events.length > MAX_EVENTS) return codeError('validation_too_many_values', { maxSelect: MAX_EVENTS });
  const out: EventPattern[] = [];
  for (const e of events) {
    if (typeof e !== 'string') return codeError('validation_invalid_webhook_event', { event: String(e).slice(0, 100), reason: 'not a string' });
    const p = parseEventPattern(e, schema);
    if (typeof p === 'string') return codeError('validation_invalid_webhook_event', { event: e, reason: p });
    out.push(p);
  }
  return out;
}

/**
 * A filter must parse, and compile against every collection the patterns name; with a
 * wildcard collection it applies to the collections it compiles for (docs/webhooks.md §3).
 */
function checkFilter(deps: WebhookValidateDeps, filter: unknown, patterns: EventPattern[]): FieldError | null {
  if (typeof filter !== 'string') return codeError('validation_invalid_webhook_filter', { reason: 'not a string' });
  if (filter.trim() === '') return null;
  try {
    parseFilterCached(filter, RULE_PARSE_LIMITS);
  } catch (err) {
    if (isFilterError(err)) return codeError('validation_invalid_webhook_filter', { reason: err.reason });
    throw err;
  }
  for (const p of patterns) {
    if (p.kind !== 'record' || p.collection === '*') continue;
    const c = deps.schema.find(p.collection);
    const reason = c ? deps.compiler.validateRule(c, filter) : null;
    if (reason !== null) return codeError('validation_invalid_webhook_filter', { reason: `${p.collection}: ${reason}` });
  }
  return null;
}

function checkHeaders(headers: unknown): FieldError | null {
  if (!isPlainObject(headers)) return codeError('validation_invalid_value', undefined, 'Must be an object of header names and values.');
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) return codeError('validation_too_many_values', { maxSelect: MAX_HEADERS });
  const bad = (header: string, reason: string) => codeError('validation_invalid_webhook_header', { header: header.slice(0, 100), reason });
  let bytes = 0;
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!isToken(name)) return bad(name, 'not a valid header name');
    if (FORBIDDEN_HEADERS.has(lower) || lower.startsWith('webhook-')) return bad(name, 'set by Plinth');
    if (seen.has(lower)) return bad(name, 'given twice');
    seen.add(lower);
    if (typeof value !== 'string') return bad(name, 'the value must be a string');
    if (value.length > MAX_HEADER_VALUE) return bad(name, `the value is longer than ${MAX_HEADER_VALUE} characters`);
    if (!isHeaderValue(value)) return bad(name, 'the value has control characters');
    bytes += name.length + value.length;
  }
  if (bytes > MAX_HEADERS_BYTES) return codeError('validation_invalid_value', undefined, `The headers may hold at most ${MAX_HEADERS_BYTES} bytes.`);
  return null;
}

/** An HTTP token (RFC 9110 §5.6.2) of at most 100 characters. */
function isToken(name: string): boolean {
  if (name.length === 0 || name.length > 100) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum && !"!#$%&'*+-.^_`|~".includes(name[i]!)) return false;
  }
  return true;
}

/** Visible characters, spaces and tabs only: no CR, LF, NUL or other controls. */
function isHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}
