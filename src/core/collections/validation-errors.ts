/**
 * Small helpers to build the nested per-property error maps of spec §1.3 with the
 * registry's codes and messages.
 */
import { fieldError, type ErrorData, type FieldError } from '../../errors/app-error.js';
import { errorCodes, type ErrorCode } from '../../errors/error-codes.js';

/** A FieldError for a registry code, its message filled with the params. */
export function codeError(code: ErrorCode, params?: Record<string, unknown>): FieldError {
  let message: string = errorCodes[code];
  if (params) {
    message = message.replace(/\{(\w+)\}/g, (all, key: string) => (key in params ? String(params[key]) : all));
  }
  return fieldError(code, message, params);
}

/** Tests whether a node of an error map is a leaf error rather than a nested map. */
export function isFieldError(node: FieldError | ErrorData | undefined): node is FieldError {
  return node !== undefined && typeof (node as FieldError).code === 'string' && typeof (node as FieldError).message === 'string';
}

/**
 * An ErrorBag collects errors at property paths; the first error set at a path or
 * above it wins, as PocketBase stops at the first failing rule of a property.
 */
export class ErrorBag {
  readonly data: ErrorData = {};

  /** Whether any error was set at the path or below it. */
  has(...path: string[]): boolean {
    let node: FieldError | ErrorData | undefined = this.data;
    for (const key of path) {
      if (node === undefined || isFieldError(node)) return node !== undefined;
      node = (node as ErrorData)[key];
    }
    return node !== undefined;
  }

  /** Sets an error at the path unless the path or a parent of it already holds one. */
  set(path: string[], error: FieldError | ErrorData): void {
    let node: ErrorData = this.data;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      const next: FieldError | ErrorData | undefined = node[key];
      if (isFieldError(next)) return;
      if (next === undefined) node[key] = {};
      node = node[key] as ErrorData;
    }
    const last = path[path.length - 1]!;
    if (node[last] === undefined) node[last] = error;
  }

  /** Whether no error was set. */
  isEmpty(): boolean {
    return Object.keys(this.data).length === 0;
  }
}
