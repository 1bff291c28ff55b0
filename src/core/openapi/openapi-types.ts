/**
 * The small slice of OpenAPI 3.1 that Plinth writes (docs/openapi.md): plain JSON
 * objects, typed loosely enough to hold any Schema Object a route declares.
 */

/** A JSON Schema (OpenAPI 3.1 Schema Object). */
export type JsonSchema = Record<string, unknown>;

/** An OpenAPI Operation Object. */
export type Operation = Record<string, unknown>;

/** An OpenAPI Path Item: operations keyed by lower-case method. */
export type PathItem = Record<string, Operation>;

/** An OpenAPI document. */
export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  jsonSchemaDialect?: string;
  servers?: Record<string, unknown>[];
  tags: { name: string; description?: string }[];
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown>; responses: Record<string, unknown> };
  [extension: `x-${string}`]: unknown;
}

/** Who reads a document: guests see fewer collections and fields than superusers. */
export type DocumentViewer = 'guest' | 'superuser';

/** A custom route of app code that declared its OpenAPI operation (docs/hooks.md §3). */
export interface DocumentedRoute {
  method: string;
  /** The path as app code wrote it (`/api/shop/{id}`, `/files/{path...}`). */
  path: string;
  operation: Operation;
}
