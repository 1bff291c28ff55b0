/**
 * The data access of app code (docs/hooks.md §4), the part of the PlinthApp that reads and
 * writes records and collections with the API's validation, hooks and events. An app bound
 * to a transaction (`runInTransaction`) reads and writes in it.
 */
import { sql } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import { NotFoundError } from '../errors/api-errors.js';
import type { Collection, CollectionType, Rule } from '../core/collections/collection.js';
import { CollectionModel } from '../core/collections/collection-model.js';
import type { FilterParams } from '../core/records/record-query.js';
import type { RequestInfo } from '../core/rules/request-info.js';
import { RecordModel } from '../core/records/record-model.js';
import { rowToValues } from '../core/records/record-store.js';
import { activeScope, type WriteScope } from '../core/records/write-scope.js';
import { AppCollections } from './app-collections.js';
import { AppRecords, type FindOptions } from './app-records.js';
import type { Services } from './services.js';

/** A collection given by model, name or id. */
export type CollectionRef = Collection | string;

/** Records and collections as app code reads and writes them; the PlinthApp extends it. */
export abstract class AppDataAccess {
  /** The transaction this app is bound to, or undefined for the app itself. */
  protected readonly scope: WriteScope | undefined;
  private readonly records: AppRecords;
  private readonly collections: AppCollections;

  constructor(protected readonly services: Services) {
    this.records = new AppRecords(services);
    this.collections = new AppCollections(services);
  }

  /** The Kysely instance, or the transaction's when this app is bound to one. Bind every value. */
  db(): Db | Executor {
    return this.current()?.trx ?? this.services.db;
  }

  /**
   * Runs `fn` in one transaction with an app bound to it: what it saves commits or rolls
   * back together, and events leave after the commit. Nested calls, and calls from code
   * already running inside a transaction (a hook of a write), join it.
   */
  async runInTransaction<T>(fn: (tx: this) => Promise<T>): Promise<T> {
    const scope = this.current();
    if (scope) return fn(this.scope ? this : this.bound(scope));
    this.services.records.trackScopes = true;
    return this.services.records.inTransaction((s) => fn(this.bound(s)));
  }

  /** An editable copy of the collection with this name or id (save it to apply changes); 404 when there is none. */
  findCollectionByNameOrId(nameOrId: string): CollectionModel {
    return this.collections.find(nameOrId);
  }

  /** A record by id; 404 when there is none. `forUpdate` locks its row until the transaction ends. */
  async findRecordById(collection: CollectionRef, id: string, options: FindOptions = {}): Promise<RecordModel> {
    const c = this.collectionOf(collection);
    const scope = this.current();
    const lock = options.forUpdate && scope ? this.services.dialect.lockRows() : sql``;
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(c.name)} WHERE ${sql.ref('id')} = ${id}${lock}`.execute(scope?.trx ?? this.services.db);
    if (!rows[0]) throw new NotFoundError();
    return RecordModel.fromStored(c, rowToValues(c, rows[0]));
  }

  /**
   * Validates and saves a record (create when new), with its hooks; events leave after commit.
   * A Collection is created or updated as the collections API does.
   */
  async save(model: RecordModel | CollectionModel): Promise<void> {
    if (model instanceof CollectionModel) return this.collections.save(this.current(), model);
    const record = model;
    await this.inScope((scope) => this.services.records.writer.save(scope, record, { validate: true, message: saveMessage(record) }));
  }

  /** Saves a record without validating it (hooks still run). */
  async saveNoValidate(record: RecordModel): Promise<void> {
    await this.inScope((scope) => this.services.records.writer.save(scope, record, { validate: false, message: saveMessage(record) }));
  }

  /** Deletes a record with its cascades and hooks, or a Collection with its table. */
  async delete(model: RecordModel | CollectionModel): Promise<void> {
    if (model instanceof CollectionModel) return this.collections.delete(this.current(), model);
    const record = model;
    await this.inScope((scope) => this.services.records.writer.delete(scope, record));
  }

  /** The records with these ids that exist, in the order given. */
  findRecordsByIds(collection: CollectionRef, ids: readonly string[], options?: FindOptions): Promise<RecordModel[]> {
    return this.records.findByIds(this.db(), this.collectionOf(collection), ids, options);
  }

  /**
   * The records matching `filter` (the API's filter language, `{:name}` placeholders bound
   * from `params`), sorted, limited (0: no limit) and offset; 400 for a bad filter or sort.
   */
  findRecordsByFilter(
    collection: CollectionRef, filter: string, sort = '', limit = 0, offset = 0, params?: FilterParams, options?: FindOptions,
  ): Promise<RecordModel[]> {
    return this.records.findByFilter(this.db(), this.collectionOf(collection), filter, sort, limit, offset, params, options);
  }

  /** The first record matching `filter`; a 404 NotFoundError when none does. */
  findFirstRecordByFilter(collection: CollectionRef, filter: string, params?: FilterParams, options?: FindOptions): Promise<RecordModel> {
    return this.records.findFirstByFilter(this.db(), this.collectionOf(collection), filter, params, options);
  }

  /** The first record whose `field` holds `value`; 400 for an unknown field, 404 for none. */
  findFirstRecordByData(collection: CollectionRef, field: string, value: unknown, options?: FindOptions): Promise<RecordModel> {
    return this.records.findFirstByData(this.db(), this.collectionOf(collection), field, value, options);
  }

  /** How many records match `filter` (all of them without one). */
  countRecords(collection: CollectionRef, filter = '', params?: FilterParams): Promise<number> {
    return this.records.count(this.db(), this.collectionOf(collection), filter, params);
  }

  /** The auth record with this email (case-insensitive); 400 for a non-auth collection, 404 for none. */
  findAuthRecordByEmail(collection: CollectionRef, email: string, options?: FindOptions): Promise<RecordModel> {
    return this.records.findAuthByEmail(this.db(), this.collectionOf(collection), email, options);
  }

  /** Loads the relations `expand` names onto `record` (`record.expandedOne(…)`, `expand` in its JSON). */
  expandRecord(record: RecordModel, expand: string | readonly string[]): Promise<RecordModel> {
    return this.records.expand(this.db(), record, expand);
  }

  /** Whether `rule` (null: superusers only, "": everyone) lets the request `info` at `record`. */
  canAccessRecord(record: RecordModel, info: RequestInfo, rule: Rule): Promise<boolean> {
    return this.records.canAccess(this.db(), record, info, rule);
  }

  /** Editable copies of every collection, or of those of the given types. */
  findAllCollections(...types: CollectionType[]): CollectionModel[] {
    return this.collections.findAll(types);
  }

  /** Imports collections as `PUT /api/collections/import` does; with `deleteMissing`, others go. */
  importCollections(list: readonly (CollectionModel | Record<string, unknown>)[], deleteMissing = false): Promise<void> {
    return this.collections.import(this.current(), list, deleteMissing);
  }

  /** This app bound to `scope`'s transaction: the same methods, reading and writing in it. */
  protected bound(scope: WriteScope): this {
    return Object.create(this, { scope: { value: scope } }) as this;
  }

  /**
   * The transaction this app reads and writes in: the one it is bound to, else the one
   * the calling code runs inside (a hook of a write, `runInTransaction`), so app code
   * that holds the outer app inside a transaction joins it instead of waiting for it.
   */
  protected current(): WriteScope | undefined {
    return this.scope ?? activeScope(this.services.db);
  }

  /** Runs a write in this app's transaction (see `current`), or in one of its own. */
  protected inScope<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    const scope = this.current();
    return scope ? fn(scope) : this.services.records.inTransaction(fn);
  }

  /** The stored collection a name, id or model names (a model by its id, so unsaved edits do not shape SQL). */
  private collectionOf(ref: CollectionRef): Collection {
    const c = this.services.schema.find(typeof ref === 'string' ? ref : ref.id);
    if (!c) throw new NotFoundError(`Missing collection ${JSON.stringify(typeof ref === 'string' ? ref : ref.name)}.`);
    return c;
  }
}

function saveMessage(record: RecordModel): string {
  return record.isNew() ? 'Failed to create record.' : 'Failed to update record.';
}
