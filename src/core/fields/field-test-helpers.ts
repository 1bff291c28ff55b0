/**
 * Builders of fields, collections and contexts for the field type tests.
 */
import type { Collection, Field, FieldTypeName } from '../collections/collection.js';
import type { OptionsContext, ValueContext } from './field-type.js';

/** A field of a type with the given options (common props filled). */
export function makeField(type: FieldTypeName, options: Record<string, unknown> = {}): Field {
  return { id: `${type}1`, name: 'f', type, system: false, hidden: false, presentable: false, ...options };
}

/** A collection with the given fields. */
export function makeCollection(over: Partial<Collection> = {}): Collection {
  return {
    id: 'pbc_1',
    name: 'posts',
    type: 'base',
    system: false,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [],
    indexes: [],
    created: '',
    updated: '',
    ...over,
  };
}

/** An options context over a collection list (the collection itself included). */
export function optionsCtx(collection = makeCollection(), others: Collection[] = [], old?: Field): OptionsContext {
  return { collection, collections: [collection, ...others], old };
}

/** A value context for create (default old) or update. */
export function valueCtx(old: unknown = undefined, isNew = old === undefined): ValueContext {
  return { collection: makeCollection(), isNew, old };
}
