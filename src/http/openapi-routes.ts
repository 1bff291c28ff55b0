/**
 * `GET /api/openapi.json` (docs/openapi.md): the OpenAPI 3.1 document of the live schema,
 * for the requester — superusers get every collection, everyone else the collections
 * some rule opens to non-superusers.
 */
import type { FastifyInstance } from 'fastify';
import type { OpenApiDocuments } from '../core/openapi/openapi-documents.js';
import { isSuperuser } from './request-auth.js';

/** Registers the document route. */
export function registerOpenApiRoutes(app: FastifyInstance, documents: OpenApiDocuments): void {
  app.get('/api/openapi.json', async function openApiDocument(request, reply) {
    const text = documents.json(isSuperuser(request) ? 'superuser' : 'guest');
    // NOTE: the text is sent as is: the `fields` picker applies to objects, and a
    // document differs by requester, so no shared cache may keep it.
    return reply.type('application/json').header('Cache-Control', 'private, no-cache').send(text);
  });
}
