/**
 * The endpoints that belong to no one collection (docs/api.md §6–§9): realtime, files,
 * batch and health.
 */
import { errorRef, jsonBody, jsonResponse, NO_CONTENT, pathParam, queryParam } from './openapi-common.js';
import { AUTH_SCHEME } from './openapi-rules.js';
import type { PathItem } from './openapi-types.js';

const open = { security: [{}, { [AUTH_SCHEME]: [] }] };
const str = { type: 'string' };

/** The path items of realtime, files, batch and health, keyed by path. */
export function systemPaths(): Record<string, PathItem> {
  return {
    '/api/realtime': {
      get: {
        tags: ['realtime'], operationId: 'realtime_connect', summary: 'Open the event stream', ...open,
        description: 'Server-sent events: first `PB_CONNECT` with `{clientId}`, then one event per subscribed change, named by its subscription. Each event is checked with the list rule (`collection/*`) or the view rule (`collection/id`) for the auth bound by the last subscribe.',
        responses: { 200: { description: 'The stream.', content: { 'text/event-stream': { schema: str } } } },
      },
      post: {
        tags: ['realtime'], operationId: 'realtime_subscribe', summary: 'Set the subscriptions of a client', ...open,
        description: 'Replaces the client\'s subscriptions (`posts/*`, `posts/RECORD_ID`, each may end in `?options=` JSON with query and headers) and binds this request\'s auth to it.',
        requestBody: jsonBody({
          type: 'object',
          properties: { clientId: str, subscriptions: { type: 'array', items: { type: 'string', maxLength: 2500 }, maxItems: 1000 } },
          required: ['clientId'],
        }),
        responses: { 204: NO_CONTENT, 400: errorRef('BadRequest'), 403: errorRef('Forbidden'), 404: errorRef('NotFound') },
      },
    },
    '/api/files/{collection}/{recordId}/{filename}': {
      get: {
        tags: ['files'], operationId: 'files_download', summary: 'Download a file of a record', security: [{}],
        description: 'Files of protected fields need `token` (a file token) and the collection\'s view rule; others are public.',
        parameters: [
          pathParam('collection', 'The collection id or name.'), pathParam('recordId', 'The record id.'), pathParam('filename', 'The stored file name.'),
          queryParam('thumb', 'A thumb size (`100x100`, or one of the field\'s thumbs).'),
          queryParam('token', 'A file token, for protected files.'),
          queryParam('download', 'Answer as an attachment.', { type: 'boolean' }),
        ],
        responses: { 200: { description: 'The file.', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } }, 404: errorRef('NotFound') },
      },
    },
    '/api/files/token': {
      post: {
        tags: ['files'], operationId: 'files_token', summary: 'A short-lived token for protected files', security: [{ [AUTH_SCHEME]: [] }],
        responses: { 200: jsonResponse('The token.', { type: 'object', properties: { token: str }, required: ['token'] }), 401: errorRef('Unauthorized') },
      },
    },
    '/api/batch': {
      post: {
        tags: ['batch'], operationId: 'batch', summary: 'Run record writes in one transaction', ...open,
        description: 'Create, update, upsert (PUT) and delete records, each under its own collection\'s rules with the outer request\'s auth; all or nothing. Off unless enabled in the settings.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  requests: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] }, url: { type: 'string', maxLength: 2000 },
                        headers: { type: 'object', additionalProperties: { type: 'string' } }, body: { type: 'object', additionalProperties: true },
                      },
                      required: ['method', 'url'],
                    },
                  },
                },
                required: ['requests'],
              },
            },
            'multipart/form-data': { schema: { type: 'object', properties: { '@jsonPayload': str }, additionalProperties: true } },
          },
        },
        responses: {
          200: jsonResponse('Each request\'s answer, in order.', {
            type: 'array', items: { type: 'object', properties: { status: { type: 'integer' }, body: {} }, required: ['status', 'body'] },
          }),
          400: errorRef('BadRequest'), 403: errorRef('Forbidden'),
        },
      },
    },
    '/api/health': {
      get: {
        tags: ['health'], operationId: 'health', summary: 'Whether the server is up', security: [{}],
        responses: {
          200: jsonResponse('Healthy.', {
            type: 'object', properties: { message: str, code: { type: 'integer' }, data: { type: 'object', additionalProperties: true } }, required: ['message', 'code', 'data'],
          }),
        },
      },
    },
  };
}
