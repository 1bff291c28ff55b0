/**
 * The one collector of per-field errors: nested maps in the shape of the error body's
 * `data` (docs/api.md §1.3), filled path by path.
 */
import type { ErrorData, FieldError } from './app-error.js';

/** Tests whether a node of an error map is a leaf error rather than a nested map. */
export function isFieldError(node: FieldError | ErrorData | undefined): node is FieldError {
  return node !== undefined && typeof (node as FieldError).code === 'string' && typeof (node as FieldError).message === 'string';
}

/**
 * An ErrorBag collects errors at property paths; the first error set at a path or
 * above it wins, as PocketBase stops at the first failing rule of a property.
 */
export class ErrorBag {
  /** Collects into `data`, a new map or one that already holds errors. */
  constructor(readonly data: ErrorData = {}) {}

  /** Whether any error was set at the path or below it. */
  has(...path: string[]): boolean {
    let node: FieldError | ErrorData | undefined = this.data;
    for (const key of path) {
      if (isFieldError(node)) return true;
      node = Object.hasOwn(node, key) ? node[key] : undefined;
      if (node === undefined) return false;
    }
    return true;
  }

  /**
   * Sets an error at the path (one key or a list of keys) unless the path or a parent
   * of it already holds one; a missing error (null, undefined) is ignored.
   */
  set(path: string | readonly string[], error: FieldError | ErrorData | null | undefined): void {
    if (!error) return;
    const keys = typeof path === 'string' ? [path] : path;
    let node: ErrorData = this.data;
    for (const [i, key] of keys.entries()) {
      const next = Object.hasOwn(node, key) ? node[key] : undefined;
      if (i === keys.length - 1) {
        if (next === undefined) setOwn(node, key, error);
        return;
      }
      if (isFieldError(next)) return;
      node = next ?? setOwn(node, key, {});
    }
  }

  /** Whether no error was set. */
  isEmpty(): boolean {
    return Object.keys(this.data).length === 0;
  }

  /** The collected errors, or null when there are none. */
  result(): ErrorData | null {
    return this.isEmpty() ? null : this.data;
  }
}

/**
 * Sets an own property and returns the value. SECURITY: keys can come from request
 * bodies; `node['__proto__'] = v` would replace the map's prototype instead.
 */
function setOwn<T extends FieldError | ErrorData>(node: ErrorData, key: string, value: T): T {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}
