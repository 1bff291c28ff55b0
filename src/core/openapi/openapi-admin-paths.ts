/**
 * The superuser-only endpoints of the schema and the settings (docs/api.md §2, §9,
 * docs/rules-explain.md): collections CRUD, import, truncate, scaffolds, OAuth2 providers,
 * the view dry run, the rule explainer, settings and their tests. In superusers' documents
 * only (docs/openapi.md, "Superusers' API").
 */
import { schemaRef, superuserOp, PAGE_QUERY } from './openapi-admin-common.js';
import { TEST_EMAIL_TEMPLATES } from './openapi-admin-schemas.js';
import { errorRef, jsonBody, jsonResponse, NO_CONTENT, pathParam, queryParam } from './openapi-common.js';
import type { JsonSchema, PathItem } from './openapi-types.js';

const str: JsonSchema = { type: 'string' };
const C = 'collections';
const S = 'settings';
const COLLECTION = schemaRef('Collection');
const COLLECTION_PARAM = pathParam('collection', 'The collection id or name.');
const LIST_QUERY = [
  ...PAGE_QUERY,
  queryParam('sort', 'Sort fields (`id`, `created`, `updated`, `name`, `system`, `type`), comma separated; `-` for descending.'),
  queryParam('filter', 'A filter expression over `id`, `created`, `updated`, `name`, `system`, `type`.'),
  queryParam('skipTotal', 'Skip the count: totalItems and totalPages are -1.', { type: 'boolean' }),
  queryParam('fields', 'Keys to keep in the answer, comma separated.'),
];
const bad = errorRef('BadRequest');
const missing = errorRef('NotFound');

/** The path items of the collections API and the rule explainer, keyed by path. */
export function collectionsAdminPaths(): Record<string, PathItem> {
  return {
    '/api/collections': {
      get: superuserOp(C, 'collections_list', 'List collections', {
        parameters: LIST_QUERY,
        responses: { 200: jsonResponse('A page of collections.', {
          type: 'object', properties: { page: { type: 'integer' }, perPage: { type: 'integer' }, totalItems: { type: 'integer' }, totalPages: { type: 'integer' }, items: { type: 'array', items: COLLECTION } },
          required: ['page', 'perPage', 'totalItems', 'totalPages', 'items'],
        }), 400: bad },
      }),
      post: superuserOp(C, 'collections_create', 'Create a collection', {
        description: 'Creates the collection and its table in one transaction.',
        requestBody: jsonBody({ allOf: [schemaRef('CollectionInput'), { required: ['name'] }] }),
        responses: { 200: jsonResponse('The new collection.', COLLECTION), 400: bad },
      }),
    },
    '/api/collections/{collection}': {
      get: superuserOp(C, 'collections_view', 'View a collection', {
        parameters: [COLLECTION_PARAM], responses: { 200: jsonResponse('The collection.', COLLECTION), 404: missing },
      }),
      patch: superuserOp(C, 'collections_update', 'Update a collection', {
        description: 'Merges the keys sent onto the stored collection; a `fields` array replaces the whole list.',
        parameters: [COLLECTION_PARAM], requestBody: jsonBody(schemaRef('CollectionInput')),
        responses: { 200: jsonResponse('The updated collection.', COLLECTION), 400: bad, 404: missing },
      }),
      delete: superuserOp(C, 'collections_delete', 'Delete a collection', {
        description: 'Drops the collection and its table; refused for system collections and collections others refer to.',
        parameters: [COLLECTION_PARAM], responses: { 204: NO_CONTENT, 400: bad, 404: missing },
      }),
    },
    '/api/collections/{collection}/truncate': {
      delete: superuserOp(C, 'collections_truncate', 'Delete every record of a collection', {
        description: 'Deletes all records, with their cascades and files; refused for view collections.',
        parameters: [COLLECTION_PARAM], responses: { 204: NO_CONTENT, 400: bad, 404: missing },
      }),
    },
    '/api/collections/import': {
      put: superuserOp(C, 'collections_import', 'Import collections', {
        description: 'In one transaction: matches collections by id, then name; with `deleteMissing`, deletes the non-system collections absent from the payload.',
        requestBody: jsonBody(schemaRef('CollectionsImport')), responses: { 204: NO_CONTENT, 400: bad },
      }),
    },
    '/api/collections/meta/scaffolds': {
      get: superuserOp(C, 'collections_scaffolds', 'Blank collections of each type', {
        responses: { 200: jsonResponse('A blank collection per type, with `id: ""`.', {
          type: 'object', properties: { base: COLLECTION, auth: COLLECTION, view: COLLECTION }, required: ['base', 'auth', 'view'],
        }) },
      }),
    },
    '/api/collections/meta/oauth2-providers': {
      get: superuserOp(C, 'collections_oauth2Providers', 'The OAuth2 providers the server knows', {
        responses: { 200: jsonResponse('The providers.', {
          type: 'array', items: { type: 'object', properties: { name: str, displayName: str, logo: str }, required: ['name', 'displayName', 'logo'] },
        }) },
      }),
    },
    '/api/collections/meta/dry-run-view': {
      post: superuserOp(C, 'collections_dryRunView', 'Try a view query', {
        description: 'The fields a view collection with this query would have, and up to 10 of its records; nothing is saved.',
        requestBody: jsonBody({ type: 'object', properties: { query: { type: 'string', maxLength: 5000 } }, required: ['query'] }),
        responses: { 200: jsonResponse('The fields and a sample.', {
          type: 'object',
          properties: { fields: { type: 'array', items: schemaRef('CollectionField') }, sample: { type: 'array', maxItems: 10, items: { type: 'object', additionalProperties: true } } },
          required: ['fields', 'sample'],
        }), 400: bad },
      }),
    },
    '/api/collections/{collection}/rules/explain': {
      post: superuserOp(C, 'collections_explainRule', 'Explain a rule for a requester and a record', {
        description: 'Judges one of the collection\'s record rules as the API would, and shows which part decided (docs/rules-explain.md).',
        parameters: [COLLECTION_PARAM], requestBody: jsonBody(schemaRef('RuleExplainInput')),
        responses: { 200: jsonResponse('The verdict and its trace.', schemaRef('RuleExplanation')), 400: bad, 404: missing },
      }),
    },
  };
}

/** The path items of the settings API, keyed by path. */
export function settingsAdminPaths(): Record<string, PathItem> {
  const settings = schemaRef('Settings');
  return {
    '/api/settings': {
      get: superuserOp(S, 'settings_get', 'The settings', {
        parameters: [queryParam('fields', 'Keys to keep in the answer, comma separated.')],
        responses: { 200: jsonResponse('The settings, secrets blank.', settings) },
      }),
      patch: superuserOp(S, 'settings_update', 'Change the settings', {
        description: 'Merges the keys sent onto the stored settings and answers them all.',
        requestBody: jsonBody(settings), responses: { 200: jsonResponse('The settings, secrets blank.', settings), 400: bad },
      }),
    },
    '/api/settings/test/email': {
      post: superuserOp(S, 'settings_testEmail', 'Send a test email', {
        requestBody: jsonBody({
          type: 'object',
          properties: { email: { type: 'string', format: 'email' }, template: { type: 'string', enum: TEST_EMAIL_TEMPLATES }, collection: { type: 'string', description: 'The auth collection whose template is sent (default `_superusers`).' } },
          required: ['email', 'template'],
        }),
        responses: { 204: NO_CONTENT, 400: bad },
      }),
    },
    '/api/settings/test/s3': {
      post: superuserOp(S, 'settings_testS3', 'Check an S3 connection', {
        requestBody: jsonBody({ type: 'object', properties: { filesystem: { type: 'string', enum: ['storage', 'backups'] } }, required: ['filesystem'] }),
        responses: { 204: NO_CONTENT, 400: bad },
      }),
    },
    '/api/settings/apple/generate-client-secret': {
      post: superuserOp(S, 'settings_appleClientSecret', 'Make a Sign in with Apple client secret', {
        requestBody: jsonBody({
          type: 'object',
          properties: { clientId: str, teamId: str, keyId: str, privateKey: str, duration: { type: 'integer', minimum: 1, description: 'Seconds; at most about six months.' } },
          required: ['clientId', 'teamId', 'keyId', 'privateKey', 'duration'],
        }),
        responses: { 200: jsonResponse('The secret (a signed JWT).', { type: 'object', properties: { secret: str }, required: ['secret'] }), 400: bad },
      }),
    },
  };
}
