/**
 * What an import would do (docs/api.md §2, "Import"): the collections it adds, changes and —
 * with "delete missing" — deletes, matched to the stored ones by id, then by name.
 */
import type { Json } from './schema-draft.js';

/** The names each part of the import touches. */
export interface ImportPlan {
  added: string[];
  changed: string[];
  deleted: string[];
}

/** Reads pasted JSON: an array of collections, or `{collections: [...]}`; throws a readable Error otherwise. */
export function parseImport(text: string): Json[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('This is not valid JSON.');
  }
  const list = Array.isArray(value) ? value : (value as { collections?: unknown } | null)?.collections;
  if (!Array.isArray(list) || list.length === 0) throw new Error('Expected a non-empty array of collections.');
  for (const item of list) {
    if (!item || typeof item !== 'object' || typeof (item as Json).name !== 'string') throw new Error('Every collection needs a name.');
  }
  return list as Json[];
}

/** The plan of importing `incoming` over `stored`. */
export function planImport(incoming: readonly Json[], stored: readonly Json[], deleteMissing: boolean): ImportPlan {
  const matched = new Set<string>();
  const plan: ImportPlan = { added: [], changed: [], deleted: [] };
  for (const item of incoming) {
    const found = stored.find((s) => item.id && s.id === item.id) ?? stored.find((s) => String(s.name).toLowerCase() === String(item.name).toLowerCase());
    if (found) {
      matched.add(String(found.id));
      plan.changed.push(String(item.name));
    } else plan.added.push(String(item.name));
  }
  if (deleteMissing) plan.deleted = stored.filter((s) => !s.system && !matched.has(String(s.id))).map((s) => String(s.name));
  return plan;
}
