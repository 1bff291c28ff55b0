/**
 * Plain words typed in a records search box (docs/dashboard.md, "Records"), as PocketBase's
 * dashboard takes them: a filter that finds them. Through the full-text index when the
 * collection has searchable fields (docs/search.md §2), with words matched by prefix and
 * stem; else `~` over the id and the first text fields. Either way a pasted id finds its record.
 * SECURITY: the words are bound by pb.filter, never spliced into the filter.
 */
import type { CollectionModel } from 'pocketbase';
import { pb } from '../../pb.js';

/** How many text fields a search without the full-text index reads (each `~` scans the table). */
const SEARCHED_TEXT_FIELDS = 3;

/** The text and email fields a requester may read and search, in schema order, without the id. */
export function textFields(c: CollectionModel): string[] {
  return c.fields.filter((f) => (f.type === 'text' || f.type === 'email') && !f.hidden && f.name !== 'id').map((f) => f.name);
}

/** The filter that finds `text` (plain words, isPlainText) in the records of `c`; '' for no words. */
export function plainTextFilter(c: CollectionModel, text: string): string {
  const q = text.trim();
  if (q === '') return '';
  if (c.type !== 'view' && c.fields.some((f) => f.searchable === true)) return pb.filter('id = {:q} || search({:q})', { q });
  return ['id', ...textFields(c).slice(0, SEARCHED_TEXT_FIELDS)].map((n) => pb.filter(`${n} ~ {:q}`, { q })).join(' || ');
}
