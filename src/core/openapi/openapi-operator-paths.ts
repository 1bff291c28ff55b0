/**
 * The superuser-only endpoints of running a node (docs/api.md §9, docs/operations.md,
 * docs/jobs.md §4, docs/webhooks.md §2): logs, backups, crons, jobs, webhooks, the SQL
 * console, and the superuser form of health. In superusers' documents only
 * (docs/openapi.md, "Superusers' API").
 */
import { schemaRef, superuserOp, PAGE_QUERY } from './openapi-admin-common.js';
import { pageOf } from './openapi-admin-schemas.js';
import { errorRef, jsonBody, jsonResponse, NO_CONTENT, pathParam, queryParam } from './openapi-common.js';
import type { JsonSchema, PathItem } from './openapi-types.js';

const str: JsonSchema = { type: 'string' };
const bad = errorRef('BadRequest');
const missing = errorRef('NotFound');
const ID = pathParam('id', 'The id.');

/** The path items of logs, backups, crons and the SQL console, keyed by path. */
export function operatorPaths(): Record<string, PathItem> {
  const log = schemaRef('Log');
  const key = pathParam('key', 'The backup\'s file name (`pb_backup_x.zip`).');
  return {
    '/api/logs': {
      get: superuserOp('logs', 'logs_list', 'List stored log entries', {
        parameters: [
          ...PAGE_QUERY,
          queryParam('filter', 'A filter over `id`, `created`, `level`, `message`, `data.*`.'),
          queryParam('sort', 'Sort fields, comma separated; `-` for descending.'),
          queryParam('skipTotal', 'Skip the count: totalItems and totalPages are -1.', { type: 'boolean' }),
        ],
        responses: { 200: jsonResponse('A page of entries.', pageOf(log)), 400: bad },
      }),
      delete: superuserOp('logs', 'logs_truncate', 'Delete every stored log entry', { responses: { 204: NO_CONTENT } }),
    },
    '/api/logs/stats': {
      get: superuserOp('logs', 'logs_stats', 'Entries per hour', {
        parameters: [queryParam('filter', 'Which entries are counted.')],
        responses: { 200: jsonResponse('A count per hour.', { type: 'array', items: { type: 'object', properties: { date: str, total: { type: 'integer' } }, required: ['date', 'total'] } }), 400: bad },
      }),
    },
    '/api/logs/{id}': {
      get: superuserOp('logs', 'logs_view', 'View a log entry', { parameters: [ID], responses: { 200: jsonResponse('The entry.', log), 404: missing } }),
    },
    '/api/backups': {
      get: superuserOp('backups', 'backups_list', 'List backups', { responses: { 200: jsonResponse('The backups.', { type: 'array', items: schemaRef('Backup') }) } }),
      post: superuserOp('backups', 'backups_create', 'Make a backup', {
        requestBody: jsonBody({ type: 'object', properties: { name: { type: 'string', pattern: '^[a-z0-9_-]+\\.zip$', maxLength: 150 } } }, false),
        responses: { 204: NO_CONTENT, 400: bad },
      }),
    },
    '/api/backups/upload': {
      post: superuserOp('backups', 'backups_upload', 'Upload a backup', {
        requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/zip' } }, required: ['file'] } } } },
        responses: { 204: NO_CONTENT, 400: bad },
      }),
    },
    '/api/backups/{key}': {
      get: {
        tags: ['backups'], operationId: 'backups_download', summary: 'Download a backup', security: [{}],
        description: 'Authorized by a superuser\'s file token (`POST /api/files/token`) in `token`, not by the Authorization header.',
        'x-plinth-rule': { name: 'superuser', access: 'superusers' },
        parameters: [key, { name: 'token', in: 'query', required: true, schema: str, description: 'A superuser\'s file token.' }],
        responses: { 200: { description: 'The zip.', content: { 'application/zip': { schema: { type: 'string', contentMediaType: 'application/zip' } } } }, 400: bad, 403: errorRef('Forbidden'), 404: missing },
      },
      delete: superuserOp('backups', 'backups_delete', 'Delete a backup', { parameters: [key], responses: { 204: NO_CONTENT, 400: bad, 404: missing } }),
    },
    '/api/backups/{key}/restore': {
      post: superuserOp('backups', 'backups_restore', 'Restore a backup', {
        description: 'Replaces the data with the backup\'s, then restarts the node.',
        parameters: [key], responses: { 204: NO_CONTENT, 400: bad, 404: missing },
      }),
    },
    '/api/crons': {
      get: superuserOp('crons', 'crons_list', 'List cron jobs', { responses: { 200: jsonResponse('The cron jobs, app code\'s first.', { type: 'array', items: schemaRef('Cron') }) } }),
    },
    '/api/crons/{id}': {
      post: superuserOp('crons', 'crons_run', 'Run a cron job now', { parameters: [ID], responses: { 204: NO_CONTENT, 404: missing } }),
    },
    '/api/sql': {
      post: superuserOp('sql', 'sql_run', 'Run one SQL statement', {
        description: 'The superuser\'s own SQL, one statement in its own transaction, within the query time limit (docs/operations.md, "SQL console").',
        requestBody: jsonBody({ type: 'object', properties: { query: { type: 'string', minLength: 1, maxLength: 5000 } }, required: ['query'] }),
        responses: { 200: jsonResponse('The result.', schemaRef('SqlResult')), 400: bad, 429: errorRef('TooManyRequests') },
      }),
    },
  };
}

/** The path items of jobs and webhooks, keyed by path. */
export function jobsAndWebhooksPaths(): Record<string, PathItem> {
  const job = schemaRef('Job');
  const webhook = schemaRef('Webhook');
  const delivery = schemaRef('WebhookDelivery');
  const webhookId = pathParam('id', 'The webhook id.');
  return {
    '/api/jobs': {
      get: superuserOp('jobs', 'jobs_list', 'List jobs, newest first', {
        parameters: [
          ...PAGE_QUERY,
          queryParam('name', 'Only jobs of this name.', { type: 'string', maxLength: 255 }),
          queryParam('status', 'Only jobs in this state.', { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'dead'] }),
          queryParam('tag', 'Only jobs with this tag.', { type: 'string', maxLength: 255 }),
        ],
        responses: { 200: jsonResponse('A page of jobs.', pageOf(job)), 400: bad },
      }),
    },
    '/api/jobs/{id}': {
      get: superuserOp('jobs', 'jobs_view', 'View a job', { parameters: [ID], responses: { 200: jsonResponse('The job.', job), 404: missing } }),
      delete: superuserOp('jobs', 'jobs_delete', 'Delete a job', { parameters: [ID], responses: { 204: NO_CONTENT, 404: missing } }),
    },
    '/api/jobs/{id}/retry': {
      post: superuserOp('jobs', 'jobs_retry', 'Queue a job again now', { parameters: [ID], responses: { 200: jsonResponse('The job.', job), 400: bad, 404: missing } }),
    },
    '/api/webhooks': {
      get: superuserOp('webhooks', 'webhooks_list', 'List webhooks, newest first', { parameters: PAGE_QUERY, responses: { 200: jsonResponse('A page of webhooks.', pageOf(webhook)), 400: bad } }),
      post: superuserOp('webhooks', 'webhooks_create', 'Create a webhook', {
        requestBody: jsonBody({ allOf: [schemaRef('WebhookInput'), { required: ['name', 'url', 'events'] }] }),
        responses: { 200: jsonResponse('The webhook, with its new secret.', webhook), 400: bad },
      }),
    },
    '/api/webhooks/{id}': {
      get: superuserOp('webhooks', 'webhooks_view', 'View a webhook', { parameters: [webhookId], responses: { 200: jsonResponse('The webhook.', webhook), 404: missing } }),
      patch: superuserOp('webhooks', 'webhooks_update', 'Change a webhook', {
        parameters: [webhookId], requestBody: jsonBody(schemaRef('WebhookInput')),
        responses: { 200: jsonResponse('The webhook.', webhook), 400: bad, 404: missing },
      }),
      delete: superuserOp('webhooks', 'webhooks_delete', 'Delete a webhook', { parameters: [webhookId], responses: { 204: NO_CONTENT, 404: missing } }),
    },
    '/api/webhooks/{id}/deliveries': {
      get: superuserOp('webhooks', 'webhooks_deliveries', 'A webhook\'s delivery log, newest first', {
        parameters: [webhookId, ...PAGE_QUERY], responses: { 200: jsonResponse('A page of deliveries.', pageOf(delivery)), 400: bad, 404: missing },
      }),
    },
    '/api/webhooks/{id}/deliveries/{deliveryId}/retry': {
      post: superuserOp('webhooks', 'webhooks_retryDelivery', 'Queue a delivery again now', {
        parameters: [webhookId, pathParam('deliveryId', 'The delivery id.')], responses: { 200: jsonResponse('The delivery.', delivery), 404: missing },
      }),
    },
    '/api/webhooks/{id}/test': {
      post: superuserOp('webhooks', 'webhooks_test', 'Send a webhook.test event now', {
        parameters: [webhookId], responses: { 200: jsonResponse('The delivery, once its first attempt ended (or after 15 s).', delivery), 404: missing },
      }),
    },
  };
}

/** The answer of `GET /api/health` to a superuser: `data` says whether a backup may start and how the client IP was read. */
export function superuserHealthBody(): JsonSchema {
  return {
    type: 'object',
    properties: {
      message: str, code: { type: 'integer' },
      data: { type: 'object', properties: { canBackup: { type: 'boolean' }, realIP: str, possibleProxyHeader: str }, required: ['canBackup', 'realIP', 'possibleProxyHeader'], additionalProperties: false },
    },
    required: ['message', 'code', 'data'],
  };
}
