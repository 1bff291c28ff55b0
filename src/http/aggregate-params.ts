/**
 * The query parameters of the aggregate endpoint (docs/api.md §3.11), read at the
 * HTTP boundary into an AggregateQuery; each malformed one is a 400 naming it.
 */
import { badRequest } from '../errors/app-error.js';
import { MAX_FILTER_LENGTH } from '../filter/filter-limits.js';
import type { AggregateFunction, AggregateItem, AggregateQuery, AggregateSortItem } from '../core/records/record-aggregate.js';
import { splitTopLevel } from '../tools/split-top-level.js';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, firstQueryValue } from './list-params.js';

/** The most group keys one request may ask for. */
export const MAX_GROUP_BY_KEYS = 5;
/** The most aggregates one request may ask for. */
export const MAX_AGGREGATES = 10;
/** The most sort items one request may ask for. */
export const MAX_AGGREGATE_SORT = 8;
/** The longest `groupBy`, `aggregate` or `sort` value accepted, in characters. */
export const MAX_AGGREGATE_PARAM_LENGTH = 1000;

const FUNCTIONS: ReadonlySet<string> = new Set(['count', 'count_distinct', 'sum', 'avg', 'min', 'max']);

/** Parses the aggregate endpoint's query; a bad parameter throws a 400 naming it. */
export function parseAggregateParams(query: unknown): AggregateQuery {
  const filter = firstQueryValue(query, 'filter');
  if (filter.length > MAX_FILTER_LENGTH) throw invalid('filter', `The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const groupBy = listParam(query, 'groupBy', MAX_GROUP_BY_KEYS);
  if (new Set(groupBy).size !== groupBy.length) throw invalid('groupBy', 'A group key is repeated.');
  const aggregates = listParam(query, 'aggregate', MAX_AGGREGATES).map(parseAggregate);
  if (aggregates.length === 0) aggregates.push({ fn: 'count', field: null, key: 'count' });
  const keys = [...groupBy, ...aggregates.map((a) => a.key)];
  if (new Set(keys).size !== keys.length) throw invalid('aggregate', 'An aggregate is repeated or has the name of a group key.');
  const sort = listParam(query, 'sort', MAX_AGGREGATE_SORT).map(parseSortItem);
  const page = intParam(query, 'page', 1);
  if (page > MAX_PAGE) throw invalid('page', `The page parameter must be a whole number from 1 to ${MAX_PAGE}.`);
  // More than the most is cut to the most, however many digits it has (docs/api.md §3.11).
  const perPage = Math.min(intParam(query, 'perPage', DEFAULT_PER_PAGE), MAX_PER_PAGE);
  return { groupBy, aggregates, filter, sort, page, perPage };
}

/** The comma-separated items of a parameter (commas inside parentheses kept), trimmed. */
function listParam(query: unknown, name: string, max: number): string[] {
  const raw = firstQueryValue(query, name);
  if (raw.length > MAX_AGGREGATE_PARAM_LENGTH) throw invalid(name, `The ${name} parameter is longer than ${MAX_AGGREGATE_PARAM_LENGTH} characters.`);
  if (raw.trim() === '') return [];
  const items = splitTopLevel(raw).map((x) => x.trim());
  if (items.some((x) => x === '')) throw invalid(name, `The ${name} parameter has an empty item.`);
  if (items.length > max) throw invalid(name, `The ${name} parameter has more than ${max} items.`);
  return items;
}

/** `count()`, or `count|count_distinct|sum|avg|min|max(field)` with a field name or relation path. */
function parseAggregate(text: string): AggregateItem {
  const open = text.indexOf('(');
  const fail = () => invalid('aggregate', `${JSON.stringify(text)} is not count(), count(field), count_distinct(field), sum(field), avg(field), min(field) or max(field).`);
  if (open <= 0 || !text.endsWith(')')) throw fail();
  const fn = text.slice(0, open).trim();
  const field = text.slice(open + 1, -1).trim();
  if (!FUNCTIONS.has(fn)) throw fail();
  if (fn === 'count' && field === '') return { fn: 'count', field: null, key: 'count' };
  if (field === '' || field.includes('(') || field.includes(')') || field.includes(',')) throw fail();
  return { fn: fn as AggregateFunction, field, key: `${fn}_${field}` };
}

/** `key`, `+key` or `-key`. */
function parseSortItem(text: string): AggregateSortItem {
  const desc = text.startsWith('-');
  const key = desc || text.startsWith('+') ? text.slice(1).trim() : text;
  if (key === '') throw invalid('sort', 'A sort item names no key.');
  return { key, desc };
}

/** A positive integer parameter (decimal digits only); absent or empty gives the fallback. */
/** The last page that can be asked for (its offset stays a safe integer at 1,000 a page). */
const MAX_PAGE = 999_999_999;

function intParam(query: unknown, name: string, fallback: number): number {
  const raw = firstQueryValue(query, name);
  if (raw === '') return fallback;
  const digits = raw.length <= 1000 && [...raw].every((ch) => ch >= '0' && ch <= '9');
  const value = Number(raw);
  if (!digits || !(value >= 1)) throw invalid(name, `The ${name} parameter must be a whole number from 1.`);
  return value;
}

function invalid(param: string, message: string) {
  return badRequest(message, { [param]: { code: 'validation_invalid_value', message } });
}
