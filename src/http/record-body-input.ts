/**
 * The submitted record body as a plain object, whatever its content type.
 */
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors/app-error.js';

/** The request body as an object; `{}` when empty, 400 when it is not an object. */
export function recordBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('An error occurred while loading the submitted data.');
  return body as Record<string, unknown>;
}
