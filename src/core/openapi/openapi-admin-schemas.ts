/**
 * The component schemas of the superuser-only API (docs/openapi.md §1, "Superusers' API"):
 * collections, settings, logs, backups, crons, jobs, webhooks, the SQL console and the rule
 * explainer, as docs/api.md §2 and §9, docs/jobs.md, docs/webhooks.md and docs/rules-explain.md
 * describe their answers.
 */
import type { JsonSchema } from './openapi-types.js';

const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const bool: JsonSchema = { type: 'boolean' };
const date: JsonSchema = { type: 'string', description: 'A datetime (`2006-01-02 15:04:05.000Z`).' };
const anyObject: JsonSchema = { type: 'object', additionalProperties: true };
const rule: JsonSchema = { type: ['string', 'null'], description: 'null: superusers only; "": everyone; otherwise a filter expression.' };

function object(properties: Record<string, JsonSchema>, required: string[], extra = false): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: extra };
}

/** A page of `item` as the list endpoints answer it (docs/api.md §1.7). */
export function pageOf(item: JsonSchema): JsonSchema {
  return object({ page: int, perPage: int, totalItems: int, totalPages: int, items: { type: 'array', items: item } }, ['page', 'perPage', 'totalItems', 'totalPages', 'items']);
}

/** The status of a job (docs/jobs.md §2). */
const JOB_STATUS: JsonSchema = { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'dead'] };

/** The superuser-only component schemas, by name. */
export const ADMIN_SCHEMAS: Record<string, JsonSchema> = {
  CollectionField: {
    type: 'object',
    description: 'A field (docs/api.md §2.3, §2.5): the common keys, plus the options of its type.',
    properties: {
      id: str, name: str, system: bool, hidden: bool, presentable: bool, required: bool, help: str,
      type: { type: 'string', enum: ['text', 'number', 'bool', 'email', 'url', 'editor', 'date', 'autodate', 'select', 'file', 'relation', 'json', 'password', 'geoPoint'] },
      readRule: rule, writeRule: rule,
      searchable: { type: 'boolean', description: 'text and editor fields: kept in the full-text index (docs/search.md §1).' },
    },
    required: ['name', 'type'],
    additionalProperties: true,
  },
  Collection: {
    type: 'object',
    description: 'A collection (docs/api.md §2.1). Auth collections add their auth options (authRule, manageRule, passwordAuth, oauth2, otp, mfa, token durations, templates); token secrets are never answered.',
    properties: {
      id: str, name: str, type: { type: 'string', enum: ['base', 'auth', 'view'] }, system: bool,
      listRule: rule, viewRule: rule, createRule: rule, updateRule: rule, deleteRule: rule,
      fields: { type: 'array', items: { $ref: '#/components/schemas/CollectionField' } },
      indexes: { type: 'array', items: str },
      viewQuery: { type: 'string', description: 'View collections only.' },
      authRule: rule, manageRule: rule,
      created: date, updated: date,
    },
    required: ['id', 'name', 'type', 'system', 'listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'fields', 'indexes', 'created', 'updated'],
    additionalProperties: true,
  },
  CollectionInput: {
    type: 'object',
    description: 'A collection to create (at least `name`), or the keys to change on update: a `fields` array replaces the whole list (docs/api.md §2).',
    properties: {
      id: str, name: { type: 'string', minLength: 1, maxLength: 255 }, type: { type: 'string', enum: ['base', 'auth', 'view'], default: 'base' },
      listRule: rule, viewRule: rule, createRule: rule, updateRule: rule, deleteRule: rule,
      fields: { type: 'array', items: { $ref: '#/components/schemas/CollectionField' } },
      indexes: { type: 'array', items: str }, viewQuery: str,
    },
    additionalProperties: true,
  },
  CollectionsImport: object({ collections: { type: 'array', items: { $ref: '#/components/schemas/CollectionInput' } }, deleteMissing: { type: 'boolean', default: false } }, ['collections']),
  Settings: {
    type: 'object',
    description: 'The application settings (docs/api.md §9); secrets (SMTP password, S3 secrets) are answered blank.',
    properties: {
      meta: object({ appName: str, appURL: str, senderName: str, senderAddress: str, hideControls: bool, accentColor: str }, [], true),
      logs: object({ maxDays: int, minLevel: int, logIP: bool, logAuthId: bool, maxDataSize: int }, [], true),
      smtp: object({ enabled: bool, host: str, port: int, username: str, password: { type: 'string', description: 'Answered blank; sent to set it.' }, authMethod: str, tls: bool, localName: str }, [], true),
      s3: object({ enabled: bool, bucket: str, region: str, endpoint: str, accessKey: str, secret: { type: 'string', description: 'Answered blank; sent to set it.' }, forcePathStyle: bool }, [], true),
      backups: object({ cron: str, cronMaxKeep: int, s3: anyObject }, [], true),
      batch: object({ enabled: bool, maxRequests: int, timeout: int, maxBodySize: int }, [], true),
      rateLimits: object({
        enabled: bool,
        rules: { type: 'array', items: object({ label: str, audience: { type: 'string', enum: ['', '@guest', '@auth'] }, duration: int, maxRequests: int }, ['label', 'duration', 'maxRequests'], true) },
        excludedIPs: { type: 'array', items: str },
      }, [], true),
      trustedProxy: object({ headers: { type: 'array', items: str }, useLeftmostIP: bool }, [], true),
      superuserIPs: { type: 'array', items: str },
    },
    additionalProperties: true,
  },
  Log: object({ id: str, created: date, level: int, message: str, data: anyObject }, ['id', 'created', 'level', 'message', 'data']),
  Backup: object({ key: str, size: int, modified: date }, ['key', 'size', 'modified']),
  Cron: object({ id: str, expression: str }, ['id', 'expression']),
  Job: object({
    id: str, name: str, payload: {}, status: JOB_STATUS, attempts: int, maxAttempts: int, runAt: date, lastError: str, result: {}, key: str, tag: str, created: date, updated: date,
  }, ['id', 'name', 'payload', 'status', 'attempts', 'maxAttempts', 'runAt', 'lastError', 'result', 'key', 'tag', 'created', 'updated']),
  Webhook: object({
    id: str, name: str, url: str, events: { type: 'array', items: str }, filter: str, headers: { type: 'object', additionalProperties: str },
    active: bool, secret: { type: 'string', readOnly: true }, created: date, updated: date,
  }, ['id', 'name', 'url', 'events', 'filter', 'headers', 'active', 'secret', 'created', 'updated']),
  WebhookInput: object({ name: str, url: str, events: { type: 'array', items: str }, filter: str, headers: { type: 'object', additionalProperties: str }, active: bool }, []),
  WebhookDelivery: object({
    id: str, type: str, status: JOB_STATUS, attempts: int, statusCode: int, bodyExcerpt: str, durationMs: int, lastError: str, created: date, updated: date,
  }, ['id', 'type', 'status', 'attempts', 'statusCode', 'bodyExcerpt', 'durationMs', 'lastError', 'created', 'updated']),
  SqlResult: object({
    execTime: { type: 'number', description: 'Milliseconds.' }, affectedRows: int,
    columns: { type: 'array', items: object({ name: str, type: str, nullable: bool }, ['name', 'type', 'nullable']) },
    rows: { type: 'array', items: { type: 'array', items: { type: ['string', 'null'] } }, maxItems: 1000, description: 'Each value as the engine\'s text.' },
    truncated: { type: 'boolean', description: 'More than 1,000 rows: the rest were not read.' },
  }, ['execTime', 'affectedRows', 'columns', 'rows', 'truncated']),
  RuleExplainInput: object({
    action: { type: 'string', enum: ['list', 'view', 'create', 'update', 'delete', 'auth', 'manage'], description: '`auth` and `manage` (authRule, manageRule) on auth collections only.' },
    signIn: { type: 'string', enum: ['password', 'otp', 'oauth2'], description: 'For `auth`: the sign-in method, `@request.context` (default `password`).' },
    auth: { oneOf: [object({ collection: str, id: str }, ['collection', 'id']), { type: 'null' }] },
    recordId: str, body: anyObject,
    query: { type: 'object', additionalProperties: str, maxProperties: 100 },
    headers: { type: 'object', additionalProperties: str, maxProperties: 100 },
  }, ['action']),
  RuleExplanation: object({
    allowed: bool, rule: rule, reason: str, truncated: bool,
    trace: { type: 'array', items: object({ expr: str, result: { type: ['boolean', 'null'] }, error: str }, ['expr', 'result']) },
  }, ['allowed', 'rule', 'trace', 'truncated'], true),
};

/** The templates `POST /api/settings/test/email` sends (docs/api.md §9). */
export const TEST_EMAIL_TEMPLATES = ['verification', 'password-reset', 'email-change', 'otp', 'login-alert'];
