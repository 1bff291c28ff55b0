/**
 * What the superuser-only operations share (docs/openapi.md, "Superusers' API"): the
 * operation builder that marks each as superusers-only, and component references.
 */
import { errorRef, queryParam } from './openapi-common.js';
import { AUTH_SCHEME } from './openapi-rules.js';
import type { JsonSchema, Operation } from './openapi-types.js';

/** A `$ref` to a component schema. */
export function schemaRef(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * A superuser-only operation: a token is required, `x-plinth-rule` says superusers, and
 * the 401/403 every such route answers to others are added to its responses.
 */
export function superuserOp(tag: string, operationId: string, summary: string, fields: Operation): Operation {
  const responses = fields.responses as Record<string, unknown>;
  return {
    tags: [tag], operationId, summary, ...fields,
    security: [{ [AUTH_SCHEME]: [] }],
    'x-plinth-rule': { name: 'superuser', access: 'superusers' },
    responses: { ...responses, 401: errorRef('Unauthorized'), 403: errorRef('Forbidden') },
  };
}

/** `page` and `perPage` of a plain list (docs/api.md §1.7). */
export const PAGE_QUERY = [
  queryParam('page', 'The page, from 1.', { type: 'integer', minimum: 1, default: 1 }),
  queryParam('perPage', 'Items per page (at most 1000).', { type: 'integer', minimum: 1, maximum: 1000, default: 30 }),
];
