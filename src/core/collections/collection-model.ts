/**
 * A CollectionModel is a collection as app code edits it (PocketBase's
 * `core.Collection`, exported to users as `Collection`): a copy of the
 * definition of docs/api.md §2.1 that `app.save(collection)` validates and applies
 * through the CollectionService, exactly as the collections API does. Editing
 * one changes nothing until it is saved. See docs/hooks.md §4.
 */
import type { Collection, CollectionType, Field, FieldTypeName, Rule } from './collection.js';

/** A field as app code writes it: a name and a type, the rest filled in on save. */
export type FieldInit = Partial<Field> & { name: string; type: FieldTypeName };

/** What `new Collection(…)` takes: any keys of a collection's JSON; `fields` need only name and type. */
export type CollectionInit = Partial<Omit<Collection, 'fields' | 'viewEmailGuards'>> & { fields?: FieldInit[] };

/** The fields of a CollectionModel, with PocketBase's helpers (`getByName`, `add`, `removeByName`). */
export class FieldList extends Array<Field> {
  // map/filter/slice give plain arrays, not FieldLists.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** The field of this name, or undefined. */
  getByName(name: string): Field | undefined {
    return this.find((f) => f.name === name);
  }

  /** The field of this id, or undefined. */
  getById(id: string): Field | undefined {
    return this.find((f) => f.id === id);
  }

  /** Adds fields; one with the id or name of an existing field replaces it in place. */
  add(...fields: FieldInit[]): this {
    for (const field of fields) {
      const i = this.findIndex((f) => (field.id !== undefined && field.id !== '' && f.id === field.id) || f.name === field.name);
      if (i >= 0) this[i] = field as Field;
      else this.push(field as Field);
    }
    return this;
  }

  /** Removes the field of this name (nothing when there is none). */
  removeByName(name: string): this {
    const i = this.findIndex((f) => f.name === name);
    if (i >= 0) this.splice(i, 1);
    return this;
  }

  /** Removes the field of this id (nothing when there is none). */
  removeById(id: string): this {
    const i = this.findIndex((f) => f.id === id);
    if (i >= 0) this.splice(i, 1);
    return this;
  }
}

/** Models loaded from the schema (or saved): saving them updates rather than creates. */
const stored = new WeakSet<CollectionModel>();

/** A CollectionModel: an editable collection definition. */
export class CollectionModel implements Collection {
  id = '';
  name = '';
  type: CollectionType = 'base';
  system = false;
  listRule: Rule = null;
  viewRule: Rule = null;
  createRule: Rule = null;
  updateRule: Rule = null;
  deleteRule: Rule = null;
  fields: FieldList = new FieldList();
  indexes: string[] = [];
  created = '';
  updated = '';
  viewQuery?: string;

  /** A new collection, not saved yet: `new Collection({ name: 'posts', type: 'base', fields: [...] })`. */
  constructor(init: CollectionInit = {}) {
    this.assign(structuredClone(init) as Collection);
  }

  /** An editable copy of a stored collection; saving it updates that collection. */
  static fromStored(c: Collection): CollectionModel {
    const model = new CollectionModel();
    model.markStored(c);
    return model;
  }

  /** Whether the collection has not been saved yet. */
  isNew(): boolean {
    return !stored.has(this);
  }

  /** Whether this is an auth collection. */
  isAuth(): boolean {
    return this.type === 'auth';
  }

  /** Whether this is a base collection. */
  isBase(): boolean {
    return this.type === 'base';
  }

  /** Whether this is a view collection. */
  isView(): boolean {
    return this.type === 'view';
  }

  /** The definition as the collections API takes it (the body of a create or an update). */
  toInput(): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) if (value !== undefined) input[key] = value;
    input.fields = [...this.fields];
    return input;
  }

  /** Takes the saved definition (ids, defaults, timestamps filled in) and marks the model stored. */
  markStored(c: Collection): void {
    for (const key of Object.keys(this)) if (!(key in c)) delete (this as Record<string, unknown>)[key];
    const { viewEmailGuards: _guards, ...definition } = structuredClone(c);
    this.assign(definition as Collection);
    stored.add(this);
  }

  /** Marks the model as no longer stored (after a delete). */
  markDeleted(): void {
    stored.delete(this);
  }

  toJSON(): Record<string, unknown> {
    return this.toInput();
  }

  private assign(c: Partial<Collection>): void {
    Object.assign(this, c);
    this.fields = FieldList.from(Array.isArray(c.fields) ? c.fields : []) as FieldList;
    if (!Array.isArray(this.indexes)) this.indexes = [];
  }
}
