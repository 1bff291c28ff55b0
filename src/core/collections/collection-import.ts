/**
 * Importing collections (docs/api.md §2.3): many collections in one schema change,
 * matched to the stored ones by id, then name; with deleteMissing, the non-system
 * collections absent from the list are deleted.
 */
import { badRequest, isAppError, type AppError, type ErrorData } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { nowDateTime } from '../../tools/datetime.js';
import type { WriteScope } from '../records/write-scope.js';
import type { Collection } from './collection.js';
import type { CollectionHookRunner } from './collection-hook-runner.js';
import { mergeCollectionPatch, normalizeNewCollection } from './collection-normalize.js';
import type { CollectionStore } from './collection-store.js';
import { errorText, type CollectionTransaction } from './collection-transaction.js';
import type { Schema } from './schema.js';
import type { SchemaDdl } from './schema-ddl.js';
import { buildView } from './view-build.js';

const FAILED = 'Failed to import collections.';

/** What an import needs: the parts of the CollectionService that save one collection. */
export interface CollectionImportDeps {
  schema: Schema;
  ddl: SchemaDdl;
  tx: CollectionTransaction;
  hooks: CollectionHookRunner;
  store: CollectionStore;
  /** Validates `next` against `all` inside `onCollectionValidate`; throws a 400 with `message`. */
  validated(scope: WriteScope, next: Collection, old: Collection | undefined, message: string, all: readonly Collection[]): Promise<void>;
}

/** One item of an import: where it was in the payload, the stored collection it matched, and what it becomes. */
interface ImportPlan {
  index: number;
  old: Collection | undefined;
  next: Collection;
}

/** Imports `list` in one transaction; a failure names the item it happened on. */
export async function importCollections(deps: CollectionImportDeps, list: unknown, deleteMissing: boolean): Promise<void> {
  if (!Array.isArray(list) || list.length === 0 || list.some((c) => typeof c !== 'object' || c === null || Array.isArray(c))) {
    throw badRequest(FAILED, { collections: codeError('validation_required') });
  }
  const items = list as Record<string, unknown>[];
  // The payload index of the item being merged or saved; -1 between them.
  const at = { index: -1 };
  await deps.tx.run(async (scope, changes) => {
    // Like PocketBase, every item is merged first and validated only once all of
    // them are known, so relations may point forward or both ways in one payload.
    const stored = deps.schema.all();
    const plans = planImport(stored, items, deleteMissing, at);
    const matched = new Set(plans.map((p) => p.old?.id));
    const removed = deleteMissing ? stored.filter((c) => !c.system && !matched.has(c.id)) : [];
    let all: Collection[] = [...stored.filter((c) => !matched.has(c.id) && !removed.includes(c)), ...plans.map((p) => p.next)];
    // Views go first: they may read tables about to be dropped.
    for (const c of [...removed].sort((a, b) => Number(b.type === 'view') - Number(a.type === 'view'))) {
      await deps.hooks.hooked(scope, 'delete', c, changes, async (gone) => {
        await deps.store.delete(scope.trx, gone);
        return gone;
      });
    }
    // Tables before views: a view may read a table this import creates.
    const ordered = [...plans.filter((p) => p.next.type !== 'view'), ...plans.filter((p) => p.next.type === 'view')];
    for (const plan of ordered) {
      at.index = plan.index;
      await deps.hooks.hooked(scope, plan.old ? 'update' : 'create', plan.next, changes, async (draft) => {
        let next = draft;
        if (next.type === 'view') next = await buildView(deps.ddl, scope.trx, next, plan.old, all);
        // A handler may have replaced the model: the schema checked against holds what is saved.
        all = all.map((c) => (c === plan.next ? next : c));
        plan.next = next;
        await deps.validated(scope, next, plan.old, FAILED, all);
        if (plan.old) await deps.store.update(scope, plan.old, next);
        else await deps.store.insert(scope.trx, next);
        return next;
      });
    }
  }, (err) => importError(err, at.index));
}

/** Matches each item to a stored collection and merges it, or makes a new one; `at` follows the item. */
function planImport(stored: readonly Collection[], items: Record<string, unknown>[], deleteMissing: boolean, at: { index: number }): ImportPlan[] {
  const taken = new Set(stored.map((c) => c.id));
  const plans: ImportPlan[] = [];
  for (const [i, raw] of items.entries()) {
    at.index = i;
    const old = stored.find((c) => c.id === raw.id)
      ?? stored.find((c) => typeof raw.name === 'string' && c.name.toLowerCase() === raw.name.toLowerCase());
    const next = old ? { ...mergeImported(old, raw, deleteMissing), updated: nowDateTime() } : normalizeNewCollection(raw, taken);
    taken.add(next.id);
    plans.push({ index: i, old, next });
  }
  at.index = -1;
  return plans;
}

/**
 * The 400 of a failed import, with the error of item `at` (none: -1). A database error
 * (a UNIQUE index over duplicates, a bad view…) is the superuser's mistake too: it
 * fails the import like a validation error.
 */
function importError(err: unknown, at: number): AppError {
  const errors: ErrorData = {};
  if (at >= 0) {
    errors[String(at)] = !isAppError(err)
      ? codeError('validation_invalid_collection', undefined, `Raw error: ${errorText(err)}`)
      : Object.keys(err.data).length ? err.data : codeError('validation_invalid_collection', undefined, err.message);
  }
  return badRequest(FAILED, { collections: codeError('validation_collections_import_failure', { errors }) }, err);
}

/** Merges an imported definition onto a stored one: fields not mentioned stay unless deleteMissing. */
function mergeImported(current: Collection, raw: Record<string, unknown>, deleteMissing: boolean): Collection {
  // Matched by name, the stored id stays: the import updates that collection.
  const patch = { ...raw, id: current.id };
  if (!Array.isArray(raw.fields) || raw.fields.some((g) => typeof g !== 'object' || g === null || Array.isArray(g))) {
    return mergeCollectionPatch(current, patch);
  }
  const given = raw.fields as Record<string, unknown>[];
  // docs/api.md §2.3: import also matches fields by name and type.
  const withIds = given.map((g) => {
    const same = current.fields.find((f) => f.name === g.name && f.type === g.type);
    return (g.id === undefined || g.id === '') && same ? { ...g, id: same.id } : g;
  });
  const kept = deleteMissing ? [] : current.fields.filter((f) => !withIds.some((g) => g.id === f.id));
  return mergeCollectionPatch(current, { ...patch, fields: [...kept, ...withIds] });
}
