/**
 * A RecordModel is one record as app code and hooks see it (PocketBase's
 * `core.Record`): its collection, its current values, what it was when loaded,
 * and which fields were set since. Writes go through the record write pipeline
 * (record-write.ts); see docs/hooks.md §4.
 */
import type { Collection } from '../collections/collection.js';
import { serializeRecord } from './record-serialize.js';
import { resolveBody } from './record-body.js';
import { defaultValues } from './record-defaults.js';
import type { RecordValues } from './record-store.js';

/** A RecordModel: values of one record of `collection()`. */
export class RecordModel {
  private readonly c: Collection;
  /** The current values, by field name. */
  private values: RecordValues;
  /** The values as loaded from the database; undefined for a record not saved yet. */
  private stored: RecordValues | undefined;
  /** Fields set since the record was loaded or created. */
  private readonly changed = new Set<string>();
  /** Fields set with `setRaw`: stored as they are. */
  private readonly raw = new Set<string>();
  /** Values of keys that are not fields (auth `passwordConfirm`, custom data added by enrich hooks). */
  private readonly extra = new Map<string, unknown>();
  private readonly hidden = new Set<string>();
  private readonly unhidden = new Set<string>();
  private custom = false;
  /** Related records loaded by `app.expandRecord`, by expand key. */
  private expanded: Record<string, RecordModel | RecordModel[]> = {};

  /**
   * A new record of `collection`, its fields at their defaults, then `data` set through
   * `set`. (`stored` is internal: a record loaded from the database; use `fromStored`.)
   */
  constructor(collection: Collection, data?: Record<string, unknown>, stored?: RecordValues) {
    this.c = collection;
    this.values = stored ? { ...stored } : defaultValues(collection);
    this.stored = stored;
    if (data) this.load(data);
  }

  /** A record as stored: `values` are its row, and nothing is marked changed. */
  static fromStored(collection: Collection, values: RecordValues): RecordModel {
    return new RecordModel(collection, undefined, values);
  }

  /** The record's id ('' until one is set or generated on save). */
  get id(): string {
    const id = this.values.id;
    return typeof id === 'string' ? id : '';
  }

  /** The collection the record belongs to. */
  collection(): Collection {
    return this.c;
  }

  /** Whether the record has not been saved yet. */
  isNew(): boolean {
    return this.stored === undefined;
  }

  /** The value of a field (or of a custom key set on this record). */
  get(name: string): unknown {
    if (Object.hasOwn(this.values, name)) return this.values[name];
    return this.extra.get(name);
  }

  /** The value as text ('' for nothing). */
  getString(name: string): string {
    const v = this.get(name);
    return v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  /** The value as a number (0 when it is not one). */
  getFloat(name: string): number {
    const n = Number(this.get(name));
    return Number.isFinite(n) ? n : 0;
  }

  /** The value as an integer, truncated (0 when it is not a number). */
  getInt(name: string): number {
    return Math.trunc(this.getFloat(name));
  }

  /** The value as a boolean. */
  getBool(name: string): boolean {
    const v = this.get(name);
    return v === true || v === 1 || v === 'true' || v === '1';
  }

  /** The value as a list of strings (a single value becomes a list of one; nothing, an empty list). */
  getStringSlice(name: string): string[] {
    const v = this.get(name);
    if (Array.isArray(v)) return v.map(String);
    return v === null || v === undefined || v === '' ? [] : [String(v)];
  }

  /**
   * Sets a field as an API body key would: `field` sets, `field+`/`+field`/`field-` modify
   * (append, prepend, remove; add or subtract for numbers), `field:autogenerate` generates.
   * A key that names no field is kept as custom data (not stored).
   */
  set(key: string, value: unknown): this {
    const resolved = resolveBody(this.c, { [key]: value }, this.values, false);
    if (resolved.touched.size === 0) {
      if (this.c.type === 'auth' && (key === 'passwordConfirm' || key === 'oldPassword')) this.extra.set(key, value);
      else if (!this.c.fields.some((f) => f.name === key)) this.extra.set(key, value);
      return this;
    }
    this.values = resolved.values;
    for (const name of resolved.touched) {
      this.changed.add(name);
      this.raw.delete(name);
    }
    return this;
  }

  /**
   * Sets a field's stored value as it is, without normalising or hashing it (a password
   * hash made elsewhere). Setting a password this way does not end the record's sessions.
   */
  setRaw(name: string, value: unknown): this {
    if (!this.c.fields.some((f) => f.name === name)) return this.set(name, value);
    this.values = { ...this.values, [name]: value };
    this.changed.add(name);
    this.raw.add(name);
    return this;
  }

  /** Sets every key of `data` in turn (shorter keys first, as a request body is applied). */
  load(data: Record<string, unknown>): this {
    for (const key of Object.keys(data).sort((a, b) => a.length - b.length)) this.set(key, data[key]);
    return this;
  }

  /** The record as loaded from the database (a copy), or undefined for a new record. */
  original(): RecordModel | undefined {
    return this.stored ? RecordModel.fromStored(this.c, this.stored) : undefined;
  }

  /** A copy with the current values and nothing marked changed. */
  fresh(): RecordModel {
    const r = RecordModel.fromStored(this.c, this.values);
    if (!this.stored) r.stored = undefined;
    return r;
  }

  /** Hides fields from this record's JSON (an enrich hook hiding a field from one requester). */
  hide(...names: string[]): this {
    for (const n of names) {
      this.hidden.add(n);
      this.unhidden.delete(n);
    }
    return this;
  }

  /** Shows fields the collection marks hidden in this record's JSON. */
  unhide(...names: string[]): this {
    for (const n of names) {
      this.unhidden.add(n);
      this.hidden.delete(n);
    }
    return this;
  }

  /** Whether keys set that are no fields (custom data) appear in the JSON. */
  withCustomData(on: boolean): this {
    this.custom = on;
    return this;
  }

  /** The record's JSON as a client without special access sees it (hidden fields and secrets left out). */
  publicExport(): Record<string, unknown> {
    const json = this.exportWith(serializeRecord(this.c, this.values, { showHidden: false, showEmail: false }));
    const keys = Object.keys(this.expanded);
    if (keys.length === 0) return json;
    const expand: Record<string, unknown> = {};
    for (const key of keys) {
      const related = this.expanded[key]!;
      expand[key] = Array.isArray(related) ? related.map((r) => r.publicExport()) : related.publicExport();
    }
    return { ...json, expand };
  }

  /** The related records loaded by `app.expandRecord`, by expand key. */
  expandedRecords(): Readonly<Record<string, RecordModel | RecordModel[]>> {
    return this.expanded;
  }

  /** The one record expanded under `key` (the first, for a list), or undefined. */
  expandedOne(key: string): RecordModel | undefined {
    const related = this.expanded[key];
    return Array.isArray(related) ? related[0] : related;
  }

  /** Every record expanded under `key` (a single one as a list of one). */
  expandedAll(key: string): RecordModel[] {
    const related = this.expanded[key];
    return related === undefined ? [] : Array.isArray(related) ? related : [related];
  }

  /** Replaces the expanded relations (`app.expandRecord` sets them). */
  setExpand(expand: Record<string, RecordModel | RecordModel[]>): this {
    this.expanded = { ...expand };
    return this;
  }

  /** Applies this record's hide/unhide/custom-data choices to serialized JSON. */
  exportWith(json: Record<string, unknown>): Record<string, unknown> {
    for (const name of this.unhidden) {
      const f = this.c.fields.find((x) => x.name === name);
      if (f && f.type !== 'password' && !(this.c.type === 'auth' && f.name === 'tokenKey')) json[name] = this.values[name];
    }
    for (const name of this.hidden) delete json[name];
    if (this.custom) for (const [k, v] of this.extra) if (!(k in json)) json[k] = v;
    return json;
  }

  /** The values as loaded (the pipeline's view; not a copy), or undefined for a new record. */
  storedRef(): RecordValues | undefined {
    return this.stored;
  }

  /** The current values (the pipeline's view; not a copy). */
  valuesRef(): RecordValues {
    return this.values;
  }

  /** Replaces the current values (the pipeline, after resolving a request body). */
  replaceValues(values: RecordValues, touched: Iterable<string>): void {
    this.values = values;
    for (const name of touched) this.changed.add(name);
  }

  /** The fields set since load. */
  changedFields(): ReadonlySet<string> {
    return this.changed;
  }

  /** Whether field `name` was set with `setRaw` (its value is stored as it is). */
  isRaw(name: string): boolean {
    return this.raw.has(name);
  }

  /** Custom keys that are not fields (auth `passwordConfirm`, `oldPassword`). */
  extraValue(key: string): unknown {
    return this.extra.get(key);
  }

  /** Marks the record as stored with its current values (after a successful write). */
  markStored(): void {
    this.stored = { ...this.values };
    this.changed.clear();
    this.raw.clear();
  }

  /** Marks the record as no longer stored (after a delete). */
  markDeleted(): void {
    this.stored = undefined;
  }

  toJSON(): Record<string, unknown> {
    return this.publicExport();
  }
}
