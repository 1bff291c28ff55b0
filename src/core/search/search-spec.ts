/**
 * Which full-text index a collection needs (docs/search.md §1): its searchable `text` and
 * `editor` fields. Views have none (their rows live in another table).
 */
import type { SearchIndexSpec } from '../../db/dialect/full-text.js';
import type { Collection, Field } from '../collections/collection.js';
import { isSearchable } from '../fields/field-searchable.js';

/** The searchable fields of a collection, in field order. */
export function searchableFields(c: Collection): Field[] {
  if (c.type === 'view') return [];
  return c.fields.filter((f) => (f.type === 'text' || f.type === 'editor') && isSearchable(f));
}

/** The full-text index a collection needs, or null when it has no searchable field. */
export function searchSpec(c: Collection): SearchIndexSpec | null {
  const fields = searchableFields(c);
  if (fields.length === 0) return null;
  return { key: c.id, table: c.name, columns: fields.map((f) => f.name) };
}
