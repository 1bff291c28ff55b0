import { Lru } from '../tools/lru.js';
import type { FilterNode } from './ast.js';
import { FILTER_CACHE_SIZE, MAX_FILTER_EXPRESSIONS, MAX_FILTER_LENGTH } from './filter-limits.js';
import { parseFilter, type ParseFilterOptions } from './parser.js';

// Keyed by the limits as well as the text: a rule parsed with a large limit
// must not be handed out to a client filter held to the default ones.
const cache = new Lru<string, FilterNode>(FILTER_CACHE_SIZE);

/**
 * Parses a filter like parseFilter, remembering the last ~1000 distinct ASTs.
 * The returned AST is deeply frozen and shared between callers: never mutate it.
 * Rejected input is not cached and throws the same FilterError every time.
 */
export function parseFilterCached(text: string, options: ParseFilterOptions = {}): FilterNode {
  const maxLength = options.maxLength ?? MAX_FILTER_LENGTH;
  const maxExpressions = options.maxExpressions ?? MAX_FILTER_EXPRESSIONS;
  const placeholders = options.placeholders === true;
  // The length check runs before the key is built so oversized input costs nothing.
  if (typeof text === 'string' && text.length <= maxLength) {
    const key = `${maxLength}:${maxExpressions}:${placeholders ? 'p' : ''}:${text}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const node = deepFreeze(parseFilter(text, { maxLength, maxExpressions, placeholders }));
    cache.set(key, node);
    return node;
  }
  return parseFilter(text, { maxLength, maxExpressions, placeholders });
}

/** Empties the AST cache (tests, or after a limit change). */
export function clearFilterCache(): void {
  cache.clear();
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
