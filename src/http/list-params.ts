/**
 * The query parameters of list endpoints (docs/api.md §1.7) and of `expand` (docs/api.md §3.8),
 * read once at the HTTP boundary into plain values the core can use.
 */
import { badRequest } from '../errors/app-error.js';
import { MAX_FILTER_LENGTH } from '../filter/filter-limits.js';
import type { ListQuery } from '../core/records/record-list.js';

/** The page size used when `perPage` is absent or not positive (docs/api.md §1.7). */
export const DEFAULT_PER_PAGE = 30;

/** The largest page size served; larger requests are capped (docs/api.md §1.7). */
export const MAX_PER_PAGE = 1000;

/** The deepest relation path `expand` follows (docs/api.md §3.8). */
export const MAX_EXPAND_DEPTH = 6;

/**
 * ListParams are the normalized list query parameters of docs/api.md §1.7: the page, sort, filter
 * and skipTotal of a ListQuery (`filter` at most MAX_FILTER_LENGTH characters), and what
 * shapes the answer.
 */
export interface ListParams extends ListQuery {
  /** Normalized expand paths (see parseExpand). */
  expand: string[];
  /** The raw `fields` picker expression ('' when absent). */
  fields: string;
}

/**
 * Returns the first value of a query parameter as a string, or '' when absent.
 * NOTE: Fastify's query parser turns a repeated key into an array; PocketBase reads
 * only the first value (Go's url.Values.Get), so every reader here does the same.
 */
export function firstQueryValue(query: unknown, key: string): string {
  if (query === null || typeof query !== 'object') return '';
  const value = (query as Record<string, unknown>)[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Parses the list query parameters of docs/api.md §1.7; a malformed value throws a 400 AppError. */
export function parseListParams(query: unknown): ListParams {
  let page = parseIntParam(firstQueryValue(query, 'page'), 1);
  if (page <= 0) page = 1;

  let perPage = parseIntParam(firstQueryValue(query, 'perPage'), DEFAULT_PER_PAGE);
  if (perPage <= 0) perPage = DEFAULT_PER_PAGE;
  if (perPage > MAX_PER_PAGE) perPage = MAX_PER_PAGE;

  const rawSkipTotal = firstQueryValue(query, 'skipTotal');
  const skipTotal = rawSkipTotal === '' ? false : parseBool(rawSkipTotal);
  if (skipTotal === null) throw badRequest();

  const filter = firstQueryValue(query, 'filter');
  if (filter.length > MAX_FILTER_LENGTH) throw badRequest();

  return {
    page,
    perPage,
    sort: firstQueryValue(query, 'sort'),
    filter,
    skipTotal,
    expand: parseExpand(firstQueryValue(query, 'expand')),
    fields: firstQueryValue(query, 'fields'),
  };
}

/**
 * The `cursor` parameter of a records list (docs/api.md §3.10): '' when given
 * empty (the first page), undefined when absent (page-number pagination).
 */
export function parseCursorParam(query: unknown): string | undefined {
  if (query === null || typeof query !== 'object' || !Object.hasOwn(query, 'cursor')) return undefined;
  return firstQueryValue(query, 'cursor');
}

/**
 * Parses an `expand` parameter into distinct relation paths (docs/api.md §3.8): spaces are
 * removed, leading/trailing dots trimmed, paths deeper than MAX_EXPAND_DEPTH cut to that
 * depth, duplicates dropped and a path that is a prefix of another one merged into it.
 */
export function parseExpand(param: string): string[] {
  // Most requests ask for no expand: no split, regex or filter for them.
  if (param === '') return [];
  const paths: string[] = [];
  for (const raw of param.split(',')) {
    const trimmed = trimDots(raw.replace(/\s+/g, ''));
    if (trimmed === '') continue;
    // NOTE: PocketBase stops expanding past depth 6 without an error; cutting the path
    // gives the same result and lets the prefix merge below see the cut path.
    const path = trimmed.split('.').slice(0, MAX_EXPAND_DEPTH).join('.');
    if (!paths.includes(path)) paths.push(path);
  }
  return paths.filter((p) => !paths.some((other) => other !== p && other.startsWith(p + '.')));
}

/** The text without leading and trailing dots (a loop: `/\.+$/` is quadratic on a run of dots). */
function trimDots(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === '.') start++;
  while (end > start && text[end - 1] === '.') end--;
  return text.slice(start, end);
}

/**
 * Parses a boolean the way Go's strconv.ParseBool does (1/0, t/f, true/false in lower,
 * upper or title case); anything else gives null.
 */
export function parseBool(raw: string): boolean | null {
  switch (raw) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return null;
  }
}

/** Parses an integer like Go's strconv.Atoi (optional sign, decimal digits only); '' gives the fallback. */
function parseIntParam(raw: string, fallback: number): number {
  if (raw === '') return fallback;
  if (!/^[+-]?\d+$/.test(raw)) throw badRequest();
  const value = Number(raw);
  // Out of the safe range Atoi would overflow int64 or we would lose precision: reject.
  if (!Number.isSafeInteger(value)) throw badRequest();
  return value;
}
