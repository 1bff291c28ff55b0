/**
 * JSON in request bodies: Fastify's prototype-poisoning-safe parser, run
 * synchronously, and the 400 every unreadable body gets (spec §1.1).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../errors/app-error.js';

/** The 400 message for a body that cannot be read (PocketBase's record/auth endpoints use it). */
export const INVALID_BODY_MESSAGE = 'Failed to load the submitted data due to invalid formatting.';

/** Fastify's default JSON parser, as getDefaultJsonParser returns it. */
export type JsonParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

/** Runs Fastify's prototype-poisoning-safe JSON parser synchronously; a bad document throws a 400. */
export function parseSecureJson(parser: JsonParser, text: string): unknown {
  let result: unknown;
  let failed = false;
  // The default parser calls back synchronously.
  parser({} as FastifyRequest, text, (err, value) => {
    failed = err !== null;
    result = value;
  });
  if (failed) throw badRequest(INVALID_BODY_MESSAGE);
  return result;
}
