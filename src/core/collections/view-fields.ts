/**
 * Derives the fields of a view collection from the columns its query returns
 * (docs/api.md §2.1: "their fields are derived from the query").
 */
import { crc32Id } from '../../tools/ids.js';
import type { Collection, EmailGuard, Field } from './collection.js';
import { emailGuardOf } from './email-visibility.js';
import { analyzeViewQuery, type ViewColumn } from './view-query.js';

/** The derived part of a view collection: its fields and the guards of its email columns. */
export interface ViewDefinition {
  fields: Field[];
  viewEmailGuards: Record<string, EmailGuard>;
}

/**
 * The fields of a view: `id` as the usual text id; a column that is a plain
 * reference to a field of a collection copies that field's definition, its type
 * and `hidden` flag included (so relations still expand and hidden fields stay
 * hidden); any other column is `json`, which takes whatever value SQL computed,
 * and is hidden when it is computed from a hidden field or an auth email.
 *
 * SECURITY: a column copied from an auth record's email keeps that email's
 * visibility: it is shown when the view also selects the same row's
 * `emailVisibility` and that is true, to the record itself when the view selects
 * its id, and to superusers.
 */
export function deriveViewFields(view: Collection, columns: string[], all: readonly Collection[], old?: Collection): ViewDefinition {
  const described = analyzeViewQuery(view.viewQuery ?? '', all).columns;
  // NOTE: PostgreSQL folds unquoted names to lower case: columns are matched without case.
  const byName = new Map(described.map((c) => [c.name.toLowerCase(), c]));
  const columnName = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const viewEmailGuards: Record<string, EmailGuard> = {};
  const fields = columns.map((name): Field => {
    const kept = old?.fields.find((f) => f.name === name);
    if (name === 'id') {
      // PocketBase's defaultViewIdField: a primary key must carry a pattern.
      return { id: kept?.id ?? 'text3208210256', name: 'id', type: 'text', system: true, hidden: false, presentable: false,
        primaryKey: true, required: true, min: 1, max: 100, pattern: '^[a-z0-9]+$', autogeneratePattern: '', help: '' };
    }
    const column = byName.get(name.toLowerCase());
    const origin = column?.origin;
    // A source's id under another name stays json (it is not this view's primary key).
    if (origin && origin.field.name !== 'id') {
      const guard = emailGuardOf(origin.collection, origin.field.name);
      if (guard) viewEmailGuards[name] = copiedGuard(guard, origin.alias, described, columnName);
      const copy = { ...origin.field, id: kept?.id ?? origin.field.id, name, system: false, required: false } as Field;
      return asViewField(copy);
    }
    return { id: kept?.id ?? crc32Id('json', name), name, type: 'json', system: false, hidden: column?.sensitive ?? false, presentable: false, required: false, maxSize: 0, help: '' };
  });
  return { fields, viewEmailGuards };
}

/** The guard of a copied email: the view's columns copying the same row's visibility and id. */
function copiedGuard(source: EmailGuard, alias: string, described: readonly ViewColumn[], columnName: Map<string, string>): EmailGuard {
  const sibling = (field: string | null) => {
    if (field === null) return null;
    const found = described.find((c) => c.origin?.alias === alias && c.origin.field.name.toLowerCase() === field.toLowerCase());
    return found ? columnName.get(found.name.toLowerCase()) ?? null : null;
  };
  return { visibility: sibling(source.visibility), ownerId: sibling(source.ownerId), ownerCollectionId: source.ownerCollectionId };
}

/**
 * A copied field without the source's field rules (docs/field-rules.md) nor its `searchable`
 * option: nothing writes through a view, a readRule names the source's fields, not the
 * view's, and a view has no search index (docs/search.md §1).
 * SECURITY: a column copied from a field some requesters may not read stays readable
 * by superusers only, as a hidden field's copy stays hidden.
 */
function asViewField(field: Field): Field {
  const { readRule, writeRule: _writeRule, searchable: _searchable, ...rest } = field;
  return readRule === undefined || readRule === '' ? rest as Field : { ...rest, readRule: null } as Field;
}
