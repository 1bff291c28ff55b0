/**
 * `#/new-collection` and `#/collections/{name}/schema` (docs/dashboard.md, "Collections editor"):
 * create or edit a base, auth or view collection — fields, indexes, rules, view query, auth
 * options — and delete, truncate or export it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CollectionModel } from 'pocketbase';
import { pb } from '../../pb.js';
import type { PageProps } from '../../routes.js';
import { navigate } from '../../router.js';
import { toast } from '../../toast.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { EmptyState } from '../../components/empty-state.js';
import { Loading } from '../../components/loading.js';
import { PageHeader } from '../../components/page-header.js';
import { SelectInput } from '../../components/select-input.js';
import { TextInput } from '../../components/text-input.js';
import { CollectionsList } from '../collections/collections-list.js';
import { SchemaActions } from './schema-actions.js';
import { SchemaPanel, schemaTabs } from './schema-panel.js';
import { SchemaTabs } from './schema-tabs.js';
import { schemaErrors, withoutErrorsUnder, type SchemaErrors } from './schema-errors.js';
import { toDraft, toPayload, type Draft, type Json } from './schema-draft.js';
import { useLeaveGuard } from './use-leave-guard.js';

/**
 * One editor per collection: going from one collection's editor straight to another's (or
 * from a new collection to the one it created) starts a fresh editor, which shows the
 * loading state until the other collection arrives, rather than the last one's form, where
 * an edit would be lost when the other loads.
 */
export default function SchemaPage({ params }: PageProps) {
  return <SchemaEditor key={params.name ?? ''} params={params} />;
}

function SchemaEditor({ params }: PageProps) {
  const creating = params.name === undefined;
  const [collections, setCollections] = useState<CollectionModel[] | null>(null);
  const [scaffolds, setScaffolds] = useState<Record<string, Json> | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<SchemaErrors>({ paths: {} });
  const [tab, setTab] = useState('fields');
  const [busy, setBusy] = useState(false);
  /** The stored fields the pending save would drop, while the user is asked to confirm. */
  const [dropping, setDropping] = useState<string[] | null>(null);
  /** The collection as last loaded or saved. */
  const [stored, setStored] = useState<Json | null>(null);
  /** The draft as loaded, scaffolded or saved, in payload form: any difference is an unsaved change. */
  const [pristine, setPristine] = useState<string | null>(null);
  const showDraft = (next: Draft): void => {
    setDraft(next);
    setPristine(JSON.stringify(toPayload(next)));
  };
  const dirty = draft !== null && pristine !== null && JSON.stringify(toPayload(draft)) !== pristine;
  const leave = useLeaveGuard(dirty);

  const reloadList = (): Promise<void> =>
    pb.collections.getFullList({ sort: 'name', requestKey: 'schema-collections' }).then(setCollections);

  useEffect(() => {
    // Each collection has an editor of its own (SchemaPage), which starts empty: answers that
    // arrive after the user left it are dropped.
    let live = true;
    const failed = (err: unknown): void => {
      const message = formErrors(err).form;
      if (live && message) setLoadError(message);
    };
    reloadList().catch(failed);
    if (creating) {
      pb.collections.getScaffolds({ requestKey: null }).then((found) => {
        if (!live) return;
        setScaffolds(found);
        showDraft(fromScaffold(found.base!, 'base', null));
      }, failed);
    } else {
      pb.collections.getOne(params.name!, { requestKey: null }).then((found) => {
        if (!live) return;
        setStored(found);
        showDraft(toDraft(found));
        setTab(found.type === 'view' ? 'query' : 'fields');
      }, failed);
    }
    return () => {
      live = false;
    };
  }, [params.name]);

  // Editing a property clears the errors the last save reported under it.
  const clearErrors = (key: string): void => setErrors((e) => ({ form: e.form, paths: withoutErrorsUnder(e.paths, key) }));
  const change = (key: string, value: unknown): void => {
    clearErrors(key);
    setDraft((d) => (d ? { ...d, [key]: value } : d));
  };
  const patch = (key: string, partial: Json): void => {
    clearErrors(key);
    setDraft((d) => (d ? { ...d, [key]: { ...((d[key] ?? {}) as Json), ...partial } } : d));
  };
  const changeType = (type: string): void => {
    if (!draft || !scaffolds?.[type]) return;
    setDraft(fromScaffold(scaffolds[type]!, type as Draft['type'], draft));
    setTab(type === 'view' ? 'query' : 'fields');
  };

  const submit = (e: Event): void => {
    e.preventDefault();
    if (!draft) return;
    // Dropping a stored field deletes its column and data: ask first, as PocketBase's dashboard does.
    const dropped = draft.type === 'view' ? [] : droppedFields(stored, draft);
    if (dropped.length > 0) setDropping(dropped);
    else void save();
  };

  const save = async (): Promise<void> => {
    if (!draft) return;
    setBusy(true);
    setErrors({ paths: {} });
    try {
      const payload = toPayload(draft);
      const saved = draft.id ? await pb.collections.update(draft.id, payload) : await pb.collections.create(payload);
      toast(draft.id ? `Saved ${saved.name}` : `Created ${saved.name}`);
      setStored(saved);
      showDraft(toDraft(saved));
      await reloadList();
      if (creating || saved.name !== params.name) leave(`/collections/${encodeURIComponent(saved.name)}/schema`, { replace: !creating });
    } catch (err) {
      const found = schemaErrors(err);
      setErrors(found);
      const tabs = schemaTabs(draft, found.paths);
      const bad = tabs.find((t) => t.invalid);
      if (bad) setTab(bad.id);
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (loadError) body = <p class="form-error" role="alert">{loadError}</p>;
  else if (!draft) body = <Loading />;
  else {
    const tabs = schemaTabs(draft, errors.paths);
    const shownTab = tabs.some((t) => t.id === tab) ? tab : tabs[0]!.id;
    body = (
      <>
        <PageHeader title={creating ? 'New collection' : `Edit ${params.name}`}>
          {!creating && draft.id ? <SchemaActions collection={draft} onDeleted={() => leave('/collections')} /> : null}
        </PageHeader>
        <form class="form schema-form" onSubmit={submit} noValidate>
          <div class="schema-head">
            <TextInput label="Collection name" value={draft.name} onValue={(v) => change('name', v)} error={errors.paths.name}
              disabled={draft.system === true} placeholder="e.g. posts" />
            <SelectInput label="Type" value={draft.type} disabled={!creating} onValue={changeType} error={errors.paths.type}
              options={[{ value: 'base', label: 'Base' }, { value: 'auth', label: 'Auth' }, { value: 'view', label: 'View' }]} />
          </div>
          <SchemaTabs tabs={tabs} current={shownTab} onPick={setTab} />
          <div id="schema-panel" role="tabpanel" aria-labelledby={`schema-tab-${shownTab}`}>
            <SchemaPanel tab={shownTab} draft={draft} errors={errors.paths} collections={collections ?? []} onChange={change} onPatch={patch} />
          </div>
          {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
          <div class="form-actions">
            <Button variant="ghost" onClick={() => navigate(creating ? '/collections' : `/collections/${encodeURIComponent(params.name!)}`)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={busy}>{creating ? 'Create' : 'Save changes'}</Button>
          </div>
        </form>
        <ConfirmDialog open={dropping !== null} onClose={() => setDropping(null)} onConfirm={save} title="Delete fields?"
          confirmLabel="Delete fields and save"
          message={`Saving deletes the field${dropping?.length === 1 ? '' : 's'} ${dropping?.join(', ') ?? ''} and all of its data in every record. This cannot be undone.`} />
      </>
    );
  }

  return (
    <div class="split">
      <CollectionsList collections={collections} current={params.name} />
      <section class="split-main">{body ?? <EmptyState title="Nothing to edit" />}</section>
    </div>
  );
}

/** The names of the fields of `stored` that `draft` no longer has (matched by id). */
function droppedFields(stored: Json | null, draft: Draft): string[] {
  const kept = new Set(draft.fields.map((f) => f.id).filter(Boolean));
  return ((stored?.fields ?? []) as Json[]).filter((f) => !kept.has(f.id)).map((f) => String(f.name));
}

/** A new collection of `type` from its scaffold, keeping the name and own fields typed so far. */
function fromScaffold(scaffold: Json, type: Draft['type'], previous: Draft | null): Draft {
  const draft = toDraft({ ...scaffold, type, name: previous?.name ?? '' });
  delete draft.id;
  if (type === 'view') {
    draft.viewQuery = draft.viewQuery ?? '';
    return draft;
  }
  const own = previous?.type === 'view' ? [] : (previous?.fields ?? []).filter((f) => !f.system && !['created', 'updated'].includes(f.name));
  // As PocketBase's dashboard does, a new collection gets `created` and `updated` autodate fields.
  const stamps = ['created', 'updated'].filter((name) => !draft.fields.some((f) => f.name === name)).map((name) => ({
    key: `stamp-${name}`, id: '', name, type: 'autodate', system: false, hidden: false, presentable: false, onCreate: true, onUpdate: name === 'updated',
  }));
  draft.fields = [...draft.fields, ...own, ...stamps];
  return draft;
}
