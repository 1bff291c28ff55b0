/**
 * Derives the fields of a view collection from the columns its query returns
 * (spec §2.1: "their fields are derived from the query").
 */
import { crc32Id } from '../../tools/ids.js';
import type { Collection, Field } from './collection.js';

/**
 * The fields of a view: `id` as the usual text id; a column named like a field
 * of a collection the query reads copies that field's definition (so relations
 * still expand and selects still validate); any other column is `json`, which
 * takes whatever value SQL computed.
 */
export function deriveViewFields(view: Collection, columns: string[], all: readonly Collection[], old?: Collection): Field[] {
  const sources = sourceCollections(view.viewQuery ?? '', all);
  return columns.map((name) => {
    const kept = old?.fields.find((f) => f.name === name);
    if (name === 'id') {
      // PocketBase's defaultViewIdField: a primary key must carry a pattern.
      return { id: kept?.id ?? 'text3208210256', name: 'id', type: 'text', system: true, hidden: false, presentable: false,
        primaryKey: true, required: true, min: 1, max: 100, pattern: '^[a-z0-9]+$', autogeneratePattern: '', help: '' };
    }
    const source = sources.flatMap((c) => c.fields).find((f) => f.name === name && f.type !== 'password');
    if (source) {
      return { ...source, id: kept?.id ?? source.id, system: false, hidden: false, required: false } as Field;
    }
    return { id: kept?.id ?? crc32Id('json', name), name, type: 'json', system: false, hidden: false, presentable: false, required: false, maxSize: 0, help: '' };
  });
}

/** The collections a view query names after FROM or JOIN, in order of appearance. */
function sourceCollections(query: string, all: readonly Collection[]): Collection[] {
  const found: Collection[] = [];
  for (const m of query.matchAll(/\b(?:from|join)\s+[`"[]?(\w+)/gi)) {
    const c = all.find((x) => x.name.toLowerCase() === m[1]!.toLowerCase());
    if (c && !found.includes(c)) found.push(c);
  }
  return found;
}
