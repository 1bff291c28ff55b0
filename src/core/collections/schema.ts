/**
 * The Schema is the in-memory view of every collection, kept current by the
 * collection service after each committed change. Readers never hit the database.
 */
import type { Collection } from './collection.js';

/** A Schema finds collections by id or name, and tells its version. */
export interface Schema {
  /** The collection with this id, or else this name (case-insensitive), or undefined. */
  find(idOrName: string): Collection | undefined;
  /** Every collection. */
  all(): readonly Collection[];
  /** A number that changes whenever any collection changes; caches key on it. */
  readonly version: number;
}

/** A MemorySchema is a Schema over a list, replaced whole on every change. */
export class MemorySchema implements Schema {
  private byId = new Map<string, Collection>();
  private byName = new Map<string, Collection>();
  private list: Collection[] = [];
  version = 0;

  /** Replaces every collection. */
  replaceAll(collections: Collection[]): void {
    this.list = collections;
    this.byId = new Map(collections.map((c) => [c.id, c]));
    this.byName = new Map(collections.map((c) => [c.name.toLowerCase(), c]));
    this.version++;
  }

  find(idOrName: string): Collection | undefined {
    return this.byId.get(idOrName) ?? this.byName.get(idOrName.toLowerCase());
  }

  all(): readonly Collection[] {
    return this.list;
  }
}
