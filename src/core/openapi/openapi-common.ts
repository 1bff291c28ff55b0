/**
 * The pieces every part of a document shares (docs/openapi.md): the error body of
 * docs/api.md §1.3, its standard responses, and builders of parameters and bodies.
 */
import type { JsonSchema, Operation } from './openapi-types.js';

/** The component name of the error body. */
export const ERROR_SCHEMA = 'Error';

/** The error body of every 4xx and 5xx (docs/api.md §1.3). */
export const ERROR_BODY: JsonSchema = {
  type: 'object',
  properties: {
    status: { type: 'integer' },
    message: { type: 'string' },
    data: { type: 'object', additionalProperties: true, description: 'Per-field errors: field → {code, message, params?}.' },
  },
  required: ['status', 'message', 'data'],
};

/** The standard error responses, by status. */
export const ERROR_RESPONSES: Record<string, unknown> = {
  BadRequest: errorResponse('Invalid input or parameters; the data names the fields.'),
  Unauthorized: errorResponse('The operation needs a valid auth token.'),
  Forbidden: errorResponse('Not allowed (for example a rule locked to superusers).'),
  NotFound: errorResponse('Missing, or hidden by the rules.'),
  TooManyRequests: errorResponse('Rate limited.'),
};

function errorResponse(description: string): unknown {
  return { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } } };
}

/** A `$ref` to a standard error response. */
export function errorRef(name: keyof typeof ERROR_RESPONSES & string): unknown {
  return { $ref: `#/components/responses/${name}` };
}

/** A 200 answer with a JSON body of `schema`. */
export function jsonResponse(description: string, schema: JsonSchema): unknown {
  return { description, content: { 'application/json': { schema } } };
}

/** A 204 answer. */
export const NO_CONTENT = { description: 'Done; no body.' };

/** A request body of one JSON object. */
export function jsonBody(schema: JsonSchema, required = true): unknown {
  return { required, content: { 'application/json': { schema } } };
}

/** A required path parameter. */
export function pathParam(name: string, description: string): Operation {
  return { name, in: 'path', required: true, schema: { type: 'string' }, description };
}

/** An optional query parameter. */
export function queryParam(name: string, description: string, schema: JsonSchema = { type: 'string' }): Operation {
  return { name, in: 'query', required: false, schema, description };
}

/** `expand` and `fields`, which every record answer takes (docs/api.md §1.8, §3.8). */
export const RECORD_QUERY = [
  queryParam('expand', 'Relations to expand, comma separated (`author,comments_via_post.user`); up to 6 levels.'),
  queryParam('fields', 'Keys to keep in the answer, comma separated (`id,title,expand.author.name`); `*` keeps all keys of a level.'),
];
