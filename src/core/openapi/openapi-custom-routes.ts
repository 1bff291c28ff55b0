/**
 * The operations app code declares for its custom routes (docs/hooks.md §3,
 * "Documenting a route"), turned into path items.
 */
import { pathParam } from './openapi-common.js';
import type { DocumentedRoute, Operation, PathItem } from './openapi-types.js';

/** The OpenAPI form of a route path: `{name...}` → `{name}`; and its parameter names. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const segments = path.split('/').map((segment) => {
    if (!segment.startsWith('{') || !segment.endsWith('}')) return segment;
    const name = segment.endsWith('...}') ? segment.slice(1, -4) : segment.slice(1, -1);
    params.push(name);
    return `{${name}}`;
  });
  return { path: segments.join('/'), params };
}

/** Adds each documented route's operation to `paths`, with the path parameters it leaves out. */
export function addCustomRoutes(paths: Record<string, PathItem>, routes: readonly DocumentedRoute[]): void {
  for (const route of routes) {
    const { path, params } = openApiPath(route.path);
    const operation: Operation = { tags: ['custom'], responses: { 200: { description: 'OK' } }, ...structuredClone(route.operation) };
    const declared = Array.isArray(operation.parameters) ? (operation.parameters as Operation[]) : [];
    const missing = params.filter((name) => !declared.some((p) => p.in === 'path' && p.name === name));
    if (missing.length > 0) operation.parameters = [...declared, ...missing.map((name) => pathParam(name, `The {${name}} part of the path.`))];
    const item = paths[path] ?? (paths[path] = {});
    item[route.method.toLowerCase()] = operation;
  }
}
