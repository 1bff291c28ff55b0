/**
 * The OpenAPI 3.1 document of a node (docs/openapi.md), built from the live schema for
 * one kind of viewer: guests get the collections some rule opens to non-superusers and
 * no hidden fields; superusers get everything.
 */
import { isAuthCollection, type Collection } from '../collections/collection.js';
import { authPaths, authResponseSchema } from './openapi-auth-paths.js';
import { ERROR_BODY, ERROR_RESPONSES, ERROR_SCHEMA, jsonResponse } from './openapi-common.js';
import { addCustomRoutes } from './openapi-custom-routes.js';
import { recordPaths } from './openapi-record-paths.js';
import { bodySchema, listSchema, multipartSchema, recordSchema, schemaNames } from './openapi-record-schemas.js';
import { AUTH_SCHEME, isOpenToNonSuperusers } from './openapi-rules.js';
import { systemPaths } from './openapi-system-paths.js';
import { collectionsAdminPaths, settingsAdminPaths } from './openapi-admin-paths.js';
import { ADMIN_SCHEMAS } from './openapi-admin-schemas.js';
import { jobsAndWebhooksPaths, operatorPaths, superuserHealthBody } from './openapi-operator-paths.js';
import type { DocumentedRoute, DocumentViewer, JsonSchema, OpenApiDocument, PathItem } from './openapi-types.js';

/** What a document is built from. */
export interface DocumentSource {
  collections: readonly Collection[];
  /** The custom routes that declared an operation. */
  routes: readonly DocumentedRoute[];
  /** The application's name (settings `meta.appName`). */
  title: string;
  version: string;
}

/** The collections a viewer's document describes. */
export function documentedCollections(collections: readonly Collection[], viewer: DocumentViewer): Collection[] {
  return collections.filter((c) => viewer === 'superuser' || isOpenToNonSuperusers(c));
}

/** Builds the document for `viewer`. */
export function buildOpenApiDocument(source: DocumentSource, viewer: DocumentViewer): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = { [ERROR_SCHEMA]: ERROR_BODY };
  const paths: Record<string, PathItem> = {};
  const tags: OpenApiDocument['tags'] = [];
  for (const c of documentedCollections(source.collections, viewer)) {
    tags.push({ name: c.name, description: `The ${c.type} collection ${c.name}.` });
    addCollectionSchemas(schemas, c, viewer);
    Object.assign(paths, recordPaths(c, viewer));
    if (isAuthCollection(c)) Object.assign(paths, authPaths(c, viewer));
  }
  Object.assign(paths, systemPaths());
  tags.push({ name: 'realtime' }, { name: 'files' }, { name: 'batch' }, { name: 'health' });
  if (viewer === 'superuser') addSuperuserApi(paths, schemas, tags);
  if (source.routes.length > 0) tags.push({ name: 'custom', description: 'Routes added by app code.' });
  addCustomRoutes(paths, source.routes);
  return {
    openapi: '3.1.0',
    info: { title: source.title, version: source.version, description: 'Generated from the live schema. Guests see the collections some rule opens to them; superusers see all.' },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags,
    paths,
    components: {
      schemas,
      responses: ERROR_RESPONSES,
      securitySchemes: {
        [AUTH_SCHEME]: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'An auth token from a sign-in (a leading `Bearer ` is accepted).' },
      },
    },
    'x-plinth-viewer': viewer,
  };
}

/**
 * The superuser-only API (docs/openapi.md, "Superusers' API"): collections, settings, logs,
 * backups, crons, jobs, webhooks, the SQL console, the rule explainer, and health's
 * superuser answer. SECURITY: never in a guest's document; the routes answer others 401/403.
 */
function addSuperuserApi(paths: Record<string, PathItem>, schemas: Record<string, JsonSchema>, tags: OpenApiDocument['tags']): void {
  Object.assign(schemas, ADMIN_SCHEMAS);
  Object.assign(paths, collectionsAdminPaths(), settingsAdminPaths(), operatorPaths(), jobsAndWebhooksPaths());
  const health = paths['/api/health']?.get as { responses: Record<number, unknown> } | undefined;
  if (health) health.responses[200] = jsonResponse('Healthy.', superuserHealthBody());
  tags.push(
    { name: 'collections', description: 'The schema (superusers only).' }, { name: 'settings', description: 'Superusers only.' },
    { name: 'logs', description: 'Superusers only.' }, { name: 'backups', description: 'Superusers only.' },
    { name: 'crons', description: 'Superusers only.' }, { name: 'jobs', description: 'Superusers only.' },
    { name: 'webhooks', description: 'Superusers only.' }, { name: 'sql', description: 'The SQL console (superusers only).' },
  );
}

function addCollectionSchemas(schemas: Record<string, JsonSchema>, c: Collection, viewer: DocumentViewer): void {
  const names = schemaNames(c);
  schemas[names.record] = recordSchema(c, viewer);
  schemas[names.list] = listSchema(c);
  if (isAuthCollection(c)) schemas[names.auth] = authResponseSchema(c);
  if (c.type === 'view') return;
  schemas[names.create] = bodySchema(c, viewer, 'create');
  schemas[names.update] = bodySchema(c, viewer, 'update');
  const createMultipart = multipartSchema(c, viewer, 'create');
  const updateMultipart = multipartSchema(c, viewer, 'update');
  if (createMultipart) schemas[`${names.create}Multipart`] = createMultipart;
  if (updateMultipart) schemas[`${names.update}Multipart`] = updateMultipart;
}
