/**
 * Reads the body of `POST /api/batch` (docs/api.md §7) into sub-requests: the shape
 * checks with per-field errors, the file parts of each sub-request, and which of
 * the four allowed record actions a sub-request's method and url name.
 */
import { badRequest, type ErrorData } from '../errors/app-error.js';
import type { UploadedFile } from './body-parser.js';
import { codeError } from '../errors/code-error.js';
import { isPlainObject } from '../tools/is-plain-object.js';

/** One sub-request as submitted. */
export interface BatchRequest {
  method: string;
  url: string;
  /** Header overrides; names as sent. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** File parts sent as `requests.<i>.<field>` or `requests[<i>].<field>`, by field. */
  files: Record<string, UploadedFile[]>;
}

/** A record action a sub-request may run, with its path parameters and query. */
export type BatchAction =
  | { kind: 'create' | 'upsert'; collection: string; query: URLSearchParams }
  | { kind: 'update' | 'delete'; collection: string; id: string; query: URLSearchParams };

/** The 400 message for a batch body of the wrong shape (docs/api.md §7). */
export const INVALID_BATCH_MESSAGE = 'Invalid batch request data.';

/** The longest sub-request url accepted (docs/api.md §7). */
export const MAX_BATCH_URL_LENGTH = 2000;

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Validates a batch body and returns its sub-requests with their files; throws a 400
 * `Invalid batch request data.` with errors under `data.requests` for any bad shape.
 */
export function parseBatchRequests(body: Record<string, unknown>, files: Record<string, UploadedFile[]>, maxRequests: number): BatchRequest[] {
  const raw = body.requests;
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    throw invalid({ requests: codeError('validation_required') });
  }
  if (!Array.isArray(raw)) throw invalid({ requests: codeError('validation_invalid_value') });
  if (raw.length > maxRequests) throw invalid({ requests: codeError('validation_length_too_long', { max: maxRequests }) });

  const errors: ErrorData = {};
  const requests: BatchRequest[] = [];
  for (const [i, item] of raw.entries()) {
    const itemErrors = checkItem(item);
    if (itemErrors) errors[String(i)] = itemErrors;
    else requests.push(toRequest(item as Record<string, unknown>));
  }
  if (Object.keys(errors).length > 0) throw invalid({ requests: errors });
  assignFiles(requests, files);
  return requests;
}

/**
 * The record action of a method and url, or null when it is none of the four the
 * spec allows (POST/PUT …/records, PATCH/DELETE …/records/{id}).
 */
export function parseBatchAction(method: string, url: string): BatchAction | null {
  const match = /^\/api\/collections\/([^/?#]+)\/records(?:\/([^/?#]+))?(?:\?([^#]*))?$/.exec(url);
  if (!match) return null;
  const collection = decodeSegment(match[1]!);
  const id = match[2] === undefined ? undefined : decodeSegment(match[2]);
  if (collection === null || id === null) return null;
  const query = new URLSearchParams(match[3] ?? '');
  if (id === undefined) {
    if (method === 'POST') return { kind: 'create', collection, query };
    if (method === 'PUT') return { kind: 'upsert', collection, query };
    return null;
  }
  if (method === 'PATCH') return { kind: 'update', collection, id, query };
  if (method === 'DELETE') return { kind: 'delete', collection, id, query };
  return null;
}

/** The id an upsert body names (`body.id`, a string or a number), or '' when it names none. */
export function upsertId(body: Record<string, unknown>): string {
  const id = body.id;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' || typeof id === 'boolean') return String(id);
  return '';
}

function invalid(data: ErrorData) {
  return badRequest(INVALID_BATCH_MESSAGE, data);
}

/** The errors of one sub-request's shape, or null when it is well formed. */
function checkItem(item: unknown): ErrorData | null {
  if (!isPlainObject(item)) return { method: codeError('validation_required'), url: codeError('validation_required') };
  const errors: ErrorData = {};
  const { method, url, headers, body } = item;
  if (method === undefined || method === null || method === '') errors.method = codeError('validation_required');
  else if (typeof method !== 'string' || !METHODS.has(method)) errors.method = codeError('validation_in_invalid');
  if (url === undefined || url === null || url === '') errors.url = codeError('validation_required');
  else if (typeof url !== 'string') errors.url = codeError('validation_invalid_value');
  else if (url.length > MAX_BATCH_URL_LENGTH) errors.url = codeError('validation_length_too_long', { max: MAX_BATCH_URL_LENGTH });
  if (headers !== undefined && headers !== null && !(isPlainObject(headers) && Object.values(headers).every((v) => typeof v === 'string'))) {
    errors.headers = codeError('validation_invalid_value');
  }
  if (body !== undefined && body !== null && !isPlainObject(body)) errors.body = codeError('validation_invalid_value');
  return Object.keys(errors).length > 0 ? errors : null;
}

function toRequest(item: Record<string, unknown>): BatchRequest {
  return {
    method: item.method as string,
    url: item.url as string,
    headers: isPlainObject(item.headers) ? (item.headers as Record<string, string>) : {},
    body: isPlainObject(item.body) ? { ...item.body } : {},
    files: {},
  };
}

/** Moves file parts named `requests.<i>.<field>` / `requests[<i>].<field>` to sub-request i. */
function assignFiles(requests: BatchRequest[], files: Record<string, UploadedFile[]>): void {
  for (const [name, list] of Object.entries(files)) {
    const match = /^requests(?:\.(\d+)\.|\[(\d+)\]\.)(.+)$/.exec(name);
    if (!match) continue;
    const target = requests[Number(match[1] ?? match[2])];
    const field = match[3]!;
    // SECURITY: the field name becomes an object key; never let it reach the prototype.
    if (!target || field === '__proto__') continue;
    (target.files[field] ??= []).push(...list);
  }
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

