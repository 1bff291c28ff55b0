/**
 * Automigrate (docs/migrations.md): with `--automigrate` (on by default with
 * `--dev`), every collection change made through the collections API also
 * writes a migration file that makes the same change, so schema changes travel
 * between environments through the repository. The file is recorded as applied
 * here, where the change is already made. Changes made by migrations and by app
 * code do not go through the API, so they write nothing (as PocketBase, whose
 * automigrate binds the collection request hooks).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collection } from '../core/collections/collection.js';
import type { CollectionService } from '../core/collections/collection-service.js';
import type { Schema } from '../core/collections/schema.js';
import type { Db } from '../db/database.js';
import { newMigrationFileName, snakeCaseName, type MigrationLanguage } from './migration-files.js';
import { appliedTime, forgetApplied, recordApplied } from './migration-history.js';
import { createdMigration, definition, deletedMigration, importedMigration, updatedMigration } from './migration-templates.js';

/** What automigrate needs. */
export interface AutomigrateDeps {
  /** The migrations folder (absolute), created when missing. */
  dir: string;
  db: Db;
  schema: Schema;
  language: MigrationLanguage;
  /** Reports a file that could not be written: the change itself is made and stays. */
  onError(err: unknown, file: string): void;
}

/** `collections` as the collections API uses it: each change it makes also writes its migration file. */
export function automigrating(collections: CollectionService, deps: AutomigrateDeps): CollectionService {
  const write = (action: string, name: string, text: string): Promise<void> => writeMigration(deps, `${action}_${snakeCaseName(name) || 'collection'}`, text);
  // The primitives the collections routes call, with or without request hooks (create, update
  // and delete go through them too); a change a model hook handler stopped saved nothing, so
  // it writes no file either.
  const methods = {
    async insert(draft: Collection): Promise<Collection> {
      const next = await collections.insert(draft);
      if (deps.schema.find(next.id)) await write('created', next.name, createdMigration(deps.language, next));
      return next;
    },
    async applyUpdate(old: Collection, draft: Collection): Promise<Collection> {
      const next = await collections.applyUpdate(old, draft);
      // What is stored now, not the handlers' draft: a stopped change stored nothing new.
      const stored = deps.schema.find(old.id);
      const text = stored ? updatedMigration(deps.language, old, stored) : undefined;
      if (text) await write('updated', old.name, text);
      return next;
    },
    async remove(old: Collection): Promise<void> {
      await collections.remove(old);
      if (!deps.schema.find(old.id)) await write('deleted', old.name, deletedMigration(deps.language, old));
    },
    async import(list: unknown, deleteMissing: boolean): Promise<void> {
      const before = deps.schema.all();
      await collections.import(list, deleteMissing);
      const after = deps.schema.all();
      const was = new Map(before.map((c) => [c.id, JSON.stringify(definition(c))]));
      const changed = after.filter((c) => was.get(c.id) !== JSON.stringify(definition(c)));
      const removed = before.some((c) => !after.some((a) => a.id === c.id));
      if (changed.length === 0 && !removed) return;
      await write('imported', 'collections', importedMigration(deps.language, deleteMissing ? after : changed, before, deleteMissing));
    },
  };
  return Object.create(collections, {
    insert: { value: methods.insert },
    applyUpdate: { value: methods.applyUpdate },
    remove: { value: methods.remove },
    import: { value: methods.import },
  }) as CollectionService;
}

/**
 * Writes a migration file and records it as applied (as PocketBase: the row first,
 * forgotten again when the file cannot be written). Failures are reported, not thrown:
 * the change they describe is committed already.
 */
async function writeMigration(deps: AutomigrateDeps, name: string, text: string): Promise<void> {
  let file = name;
  try {
    await mkdir(deps.dir, { recursive: true });
    file = await newMigrationFileName(deps.dir, name, deps.language);
    await recordApplied(deps.db, file, appliedTime());
  } catch (err) {
    deps.onError(err, file);
    return;
  }
  try {
    await writeFile(join(deps.dir, file), text, { flag: 'wx' });
  } catch (err) {
    deps.onError(err, file);
    await forgetApplied(deps.db, file).catch(() => undefined);
  }
}
