/**
 * The schemas the rule editor completes from: every collection, loaded once per page load
 * through the SDK, and the collection being edited (a saved model, a draft or a name).
 */
import { useEffect, useState } from 'preact/hooks';
import type { CollectionModel } from 'pocketbase';
import { pb } from '../../pb.js';

/** The collection a rule or filter belongs to: its name, or its model (a draft being edited may have unsaved fields). */
export type RuleCollection = string | { id?: unknown; name?: unknown; type?: unknown; fields?: unknown };

let loading: Promise<CollectionModel[]> | null = null;

/** Every collection (one request per page load; a failure is retried on the next use). */
function loadCollections(): Promise<CollectionModel[]> {
  loading ??= pb.collections.getFullList({ requestKey: null }).catch(() => {
    loading = null;
    return [];
  });
  return loading;
}

/** Every collection, and the given one resolved against them (a draft's own fields win). */
export function useRuleSchemas(collection: RuleCollection | undefined): { all: CollectionModel[]; current: CollectionModel | undefined } {
  const [all, setAll] = useState<CollectionModel[]>([]);
  useEffect(() => {
    let live = true;
    void loadCollections().then((list) => live && setAll(list));
    return () => {
      live = false;
    };
  }, []);
  return { all, current: resolveCollection(collection, all) };
}

function resolveCollection(collection: RuleCollection | undefined, all: CollectionModel[]): CollectionModel | undefined {
  if (collection === undefined) return undefined;
  if (typeof collection === 'string') return all.find((c) => c.name === collection || c.id === collection);
  const saved = all.find((c) => (collection.id && c.id === collection.id) || c.name === collection.name);
  const fields = Array.isArray(collection.fields) ? (collection.fields as CollectionModel['fields']) : saved?.fields ?? [];
  return {
    ...(saved ?? ({} as CollectionModel)),
    id: typeof collection.id === 'string' ? collection.id : saved?.id ?? '',
    name: typeof collection.name === 'string' ? collection.name : saved?.name ?? '',
    type: typeof collection.type === 'string' ? collection.type : saved?.type ?? 'base',
    fields: fields.filter((f) => f && typeof f.name === 'string' && f.name !== ''),
  } as CollectionModel;
}
