import type { SortItem } from './ast.js';
import { FilterError } from './filter-error.js';
import { MAX_SORT_FIELD_LENGTH, MAX_SORT_FIELDS } from './filter-limits.js';

// A sort name is a field path as in a filter (docs/api.md §4.8): `author.name`,
// `title:lower`, `meta.a.0`, or a special such as `@random`/`@rowid`. The
// resolver decides what it means; this only rejects what can never be a name.
const SORT_NAME = /^@?[A-Za-z0-9_][A-Za-z0-9_.:]*$/;

/**
 * Parses a `sort` parameter (docs/api.md §4.8): comma-separated items, `-` for DESC,
 * `+` or nothing for ASC, whitespace trimmed, empty items skipped. Throws a
 * FilterError for a malformed name, more than 8 items or an item over 255 chars.
 */
export function parseSort(text: string): SortItem[] {
  if (typeof text !== 'string') throw new FilterError('sort must be a string');
  const items: SortItem[] = [];
  let offset = 0;
  for (const part of text.split(',')) {
    const pos = offset;
    offset += part.length + 1;
    // NOTE: a literal `+` in a query string decodes to a space, so `sort=+id`
    // arrives as " id"; trimming makes it the ASC item it was meant to be.
    const item = part.trim();
    if (item === '') continue;
    if (items.length === MAX_SORT_FIELDS) throw new FilterError(`more than ${MAX_SORT_FIELDS} sort fields`, pos);
    if (item.length > MAX_SORT_FIELD_LENGTH) {
      throw new FilterError(`sort field longer than ${MAX_SORT_FIELD_LENGTH} characters`, pos);
    }
    const desc = item.startsWith('-');
    const name = desc || item.startsWith('+') ? item.slice(1) : item;
    if (!isSortName(name)) throw new FilterError(`invalid sort field '${name}'`, pos);
    items.push({ name, desc });
  }
  return items;
}

function isSortName(name: string): boolean {
  if (!SORT_NAME.test(name)) return false;
  const last = name[name.length - 1];
  return last !== '.' && last !== ':';
}
