/**
 * JSON in request bodies: Fastify's prototype-poisoning-safe parser, run
 * synchronously, the nesting bound and text normalization every parsed value gets,
 * and the 400 every unreadable body gets (docs/api.md §1.1).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../errors/app-error.js';

/** The 400 message for a body that cannot be read (PocketBase's record/auth endpoints use it). */
export const INVALID_BODY_MESSAGE = 'Failed to load the submitted data due to invalid formatting.';

/** Fastify's default JSON parser, as getDefaultJsonParser returns it. */
export type JsonParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

/**
 * The deepest nesting of arrays and objects a JSON body may have (docs/security.md): far
 * above any collection schema or record, and far below what recursive code walking the
 * value (field lists, JSON fields, structuredClone) can take before the stack runs out.
 */
export const MAX_JSON_DEPTH = 512;

/** The 400 message for a body nested deeper than MAX_JSON_DEPTH. */
export const TOO_DEEP_MESSAGE = `The submitted data is nested deeper than ${MAX_JSON_DEPTH} levels.`;

/**
 * Runs Fastify's prototype-poisoning-safe JSON parser synchronously and normalizes the
 * result (see normalizeJson); a bad document throws a 400.
 */
export function parseSecureJson(parser: JsonParser, text: string): unknown {
  let result: unknown;
  let failed = false;
  // The default parser calls back synchronously.
  parser({} as FastifyRequest, text, (err, value) => {
    failed = err !== null;
    result = value;
  });
  if (failed) throw badRequest(INVALID_BODY_MESSAGE);
  return normalizeJson(result);
}

/**
 * Checks a parsed JSON value against MAX_JSON_DEPTH (400 beyond) and replaces, in place,
 * each lone UTF-16 surrogate in its strings and keys (`"\ud83d"`) with U+FFFD, as Go's
 * decoder does: the databases store U+FFFD for it, so the response then shows what is
 * stored. Iterative, so no nesting can overflow the stack here.
 */
export function normalizeJson(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormed(value);
  if (value === null || typeof value !== 'object') return value;
  const pending: Array<[object, number]> = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [container, depth] = next;
    if (depth > MAX_JSON_DEPTH) throw badRequest(TOO_DEEP_MESSAGE);
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        if (typeof item === 'string') container[i] = toWellFormed(item);
        else if (item !== null && typeof item === 'object') pending.push([item, depth + 1]);
      }
      continue;
    }
    const obj = container as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const item = obj[key];
      if (typeof item === 'string') obj[key] = toWellFormed(item);
      else if (item !== null && typeof item === 'object') pending.push([item, depth + 1]);
    }
    if (!Object.keys(obj).every(isWellFormed)) renameKeys(obj);
  }
  return value;
}

/** Replaces each key holding a lone surrogate with its well-formed spelling, keeping the key order. */
function renameKeys(obj: Record<string, unknown>): void {
  const entries = Object.entries(obj);
  for (const [key] of entries) delete obj[key];
  // NOTE: a renamed key holds U+FFFD, so it is never `__proto__`: plain assignment is safe.
  for (const [key, item] of entries) obj[toWellFormed(key)] = item;
}

// String.prototype.isWellFormed/toWellFormed exist from Node 20 (V8 11.3); TypeScript's
// ES2023 library does not declare them yet.
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

function isWellFormed(text: string): boolean {
  return (text as WellFormedString).isWellFormed();
}

function toWellFormed(text: string): string {
  return isWellFormed(text) ? text : (text as WellFormedString).toWellFormed();
}
