/**
 * OpenApiDocuments hands out the document of each kind of viewer as JSON text, built
 * once per schema version (docs/openapi.md, "Caching"): a collection change bumps the
 * version, and the next request builds the document anew.
 */
import type { Schema } from '../collections/schema.js';
import { buildOpenApiDocument } from './openapi-document.js';
import type { DocumentedRoute, DocumentViewer } from './openapi-types.js';

/** What the documents are built from. */
export interface OpenApiDocumentsDeps {
  schema: Schema;
  /** The custom routes that declared an operation (fixed once the app started). */
  routes: () => readonly DocumentedRoute[];
  /** The application's name (settings `meta.appName`). */
  title: () => string;
}

/** The documents of a node, cached per schema version, title and viewer. */
export class OpenApiDocuments {
  private key = '';
  private readonly cache = new Map<DocumentViewer, string>();

  constructor(private readonly deps: OpenApiDocumentsDeps) {}

  /** The document `viewer` may read, as JSON text. */
  json(viewer: DocumentViewer): string {
    const { schema, routes, title } = this.deps;
    const key = `${schema.version}\u0000${routes().length}\u0000${title()}`;
    if (key !== this.key) {
      this.cache.clear();
      this.key = key;
    }
    let text = this.cache.get(viewer);
    if (text === undefined) {
      const collections = schema.all();
      // The newest collection change names the document's version: the same on every node.
      const version = collections.reduce((latest, c) => (c.updated > latest ? c.updated : latest), '') || '0';
      text = JSON.stringify(buildOpenApiDocument({ collections, routes: routes(), title: title(), version }, viewer));
      this.cache.set(viewer, text);
    }
    return text;
  }
}
