/**
 * `GET /api/openapi.json` (docs/openapi.md): the OpenAPI 3.1 document of the live schema,
 * for the requester — superusers get every collection, everyone else the collections
 * some rule opens to non-superusers.
 */
import type { FastifyInstance } from 'fastify';
import type { OpenApiDocuments } from '../core/openapi/openapi-documents.js';
import type { DocumentViewer } from '../core/openapi/openapi-types.js';
import { isSuperuser } from './request-auth.js';

/** Registers the document route. */
export function registerOpenApiRoutes(app: FastifyInstance, documents: OpenApiDocuments): void {
  // The encoded answer of each viewer's current text: a document is large (about 10 KB a
  // collection), and sending ready bytes skips re-encoding it on every request.
  const encoded = new Map<DocumentViewer, { text: string; bytes: Buffer }>();
  app.get('/api/openapi.json', async function openApiDocument(request, reply) {
    const viewer: DocumentViewer = isSuperuser(request) ? 'superuser' : 'guest';
    const text = documents.json(viewer);
    let entry = encoded.get(viewer);
    if (entry?.text !== text) {
      entry = { text, bytes: Buffer.from(`${text}\n`) };
      encoded.set(viewer, entry);
    }
    // NOTE: bytes, not an object: the `fields` picker does not apply, and the document
    // differs by requester, so no shared cache may keep it.
    return reply.type('application/json').header('Cache-Control', 'private, no-cache').send(entry.bytes);
  });
}
