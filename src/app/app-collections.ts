/**
 * The collection operations of app code (docs/hooks.md §4): find, save, delete
 * and import collections with the validation and schema sync of the
 * collections API — all through the CollectionService. Inside a transaction the
 * change joins it; the schema is settled when the transaction ends.
 */
import type { Collection, CollectionType } from '../core/collections/collection.js';
import { CollectionModel } from '../core/collections/collection-model.js';
import type { CollectionService } from '../core/collections/collection-service.js';
import type { WriteScope } from '../core/records/write-scope.js';
import { NotFoundError } from '../errors/api-errors.js';
import type { Services } from './services.js';

/** Settles the schema once per transaction that changed it: reload after either end, announce after commit. */
const settling = new WeakSet<WriteScope>();

/** AppCollections runs the collection operations of one node for app code. */
export class AppCollections {
  private readonly collections: CollectionService;

  constructor(private readonly services: Services) {
    this.collections = services.collections;
  }

  /** An editable copy of the collection with this name or id; a 404 NotFoundError when there is none. */
  find(nameOrId: string): CollectionModel {
    const c = typeof nameOrId === 'string' ? this.services.schema.find(nameOrId) : undefined;
    if (!c) throw new NotFoundError(`Missing collection ${JSON.stringify(nameOrId)}.`);
    return CollectionModel.fromStored(c);
  }

  /** Editable copies of every collection, or of those of the given types. */
  findAll(types: readonly CollectionType[]): CollectionModel[] {
    const all = this.services.schema.all();
    return (types.length === 0 ? all : all.filter((c) => types.includes(c.type))).map((c) => CollectionModel.fromStored(c));
  }

  /** Creates (new model) or updates a collection, validated as the collections API does; the model takes the saved definition. */
  async save(scope: WriteScope | undefined, model: CollectionModel): Promise<void> {
    const service = this.service(scope);
    const saved: Collection = model.isNew() ? await service.create(model.toInput()) : await service.update(model.id, model.toInput());
    model.markStored(saved);
  }

  /** Deletes a collection and its table; refused for system and referenced collections (400). */
  async delete(scope: WriteScope | undefined, model: CollectionModel): Promise<void> {
    await this.service(scope).delete(model.id || model.name);
    model.markDeleted();
  }

  /**
   * Imports collection definitions (models or plain JSON, as `PUT /api/collections/import`):
   * matched by id then name; with `deleteMissing`, other non-system collections are deleted.
   */
  async import(scope: WriteScope | undefined, list: readonly (CollectionModel | Record<string, unknown>)[], deleteMissing: boolean): Promise<void> {
    const input = Array.isArray(list) ? list.map((c) => (c instanceof CollectionModel ? c.toInput() : c)) : list;
    await this.service(scope).import(input, deleteMissing);
  }

  /** The collection service writing in `scope`'s transaction (settled when it ends), or in its own. */
  private service(scope: WriteScope | undefined): CollectionService {
    const joined = this.join(scope);
    return joined ? this.collections.within(joined) : this.collections;
  }

  /** The transaction a change joins, making sure the schema settles once when it ends. */
  private join(scope: WriteScope | undefined): WriteScope | undefined {
    if (scope && !settling.has(scope)) {
      settling.add(scope);
      scope.afterCommit(() => this.collections.settle(true));
      scope.afterRollback(() => this.collections.settle(false));
    }
    return scope;
  }
}
