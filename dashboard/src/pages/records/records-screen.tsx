/**
 * The records screen of `#/collections/{name}` (docs/dashboard.md, "Records"): the filter bar,
 * the virtualised table with sorting, the column picker and inline relations, bulk delete, the
 * side panel editor, and ★ the live view through realtime.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import type { CollectionModel, RecordModel } from 'pocketbase';
import { formErrors } from '../../field-errors.js';
import { toast } from '../../toast.js';
import { Button } from '../../components/button.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { EmptyState } from '../../components/empty-state.js';
import { Loading } from '../../components/loading.js';
import { PageHeader } from '../../components/page-header.js';
import { href } from '../../router.js';
import { deleteRecords } from './bulk-delete.js';
import { ColumnPicker } from './column-picker.js';
import { loadHiddenColumns, saveHiddenColumns } from './column-prefs.js';
import { FilterInput } from './filter-input.js';
import { plainTextFilter } from './plain-search.js';
import { isPlainText } from '../../components/rule-editor/syntax-check.js';
import { readHashQuery, writeHashQuery } from '../../hash-query.js';
import { RecordDrawer } from './record-drawer.js';
import { columnFields, defaultSort, expandFor, presentableFields } from './record-fields.js';
import { RecordsTable } from './records-table.js';
import { useLiveRecords } from './use-live-records.js';
import { useRecordPages } from './use-record-pages.js';

export interface RecordsScreenProps {
  collection: CollectionModel;
  /** Every collection, for relation targets. */
  collections: CollectionModel[];
}

export function RecordsScreen({ collection, collections }: RecordsScreenProps) {
  const initial = useMemo(readHashQuery, []);
  const [draft, setDraft] = useState(initial.get('filter') ?? '');
  const [filter, setFilter] = useState(initial.get('filter') ?? '');
  const [sort, setSort] = useState(initial.get('sort') || defaultSort(collection));
  const [hidden, setHidden] = useState(() => loadHiddenColumns(collection.id));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [editing, setEditing] = useState<RecordModel | 'new' | null>(null);
  const [confirmBulk, setConfirmBulk] = useState(false);
  const [pending, setPending] = useState(0);
  // Records this screen just created: their realtime echo is not "new" to the user.
  const ownCreates = useRef(new Set<string>());

  const fields = useMemo(() => columnFields(collection), [collection]);
  const columns = fields.filter((f) => !hidden.includes(f.name));
  const expand = expandFor(collection, columns.map((c) => c.name));
  const presentable = useMemo(() => Object.fromEntries(collection.fields.filter((f) => f.type === 'relation')
    .map((f) => [f.name, presentableFields(collections.find((c) => c.id === f.collectionId))])), [collection, collections]);
  // Plain words search, as in PocketBase's dashboard; anything else is a filter.
  const query = useMemo(() => (isPlainText(filter) ? plainTextFilter(collection, filter) : filter), [collection, filter]);
  const pages = useRecordPages({ collection: collection.id, filter: query, sort, expand, tiebreak: collection.type === 'view' ? 'id' : '@rowid' });
  const isDefaultView = filter === '' && sort === defaultSort(collection);

  useLiveRecords(collection.id, expand, {
    created(record) {
      if (ownCreates.current.delete(record.id)) return;
      // Cheap and exact: with no filter and newest first, a new record belongs at the top.
      if (isDefaultView) pages.upsert(record, 'first');
      else setPending((n) => n + 1);
    },
    updated: (record) => pages.upsert(record),
    deleted(record) {
      pages.remove([record.id]);
      setSelected((old) => (old.has(record.id) ? new Set([...old].filter((id) => id !== record.id)) : old));
    },
  });

  const apply = (nextFilter: string, nextSort: string): void => {
    setFilter(nextFilter);
    setSort(nextSort);
    setPending(0);
    setSelected(new Set());
    writeHashQuery({ filter: nextFilter, sort: nextSort === defaultSort(collection) ? '' : nextSort });
  };
  const select = (ids: readonly string[], on: boolean): void => setSelected((old) => {
    const next = new Set(old);
    for (const id of ids) on ? next.add(id) : next.delete(id);
    return next;
  });
  const bulkDelete = async (): Promise<void> => {
    const ids = [...selected];
    const result = await deleteRecords(collection.id, ids);
    pages.remove(result.deleted);
    setSelected(new Set(ids.filter((id) => !result.deleted.includes(id))));
    if (result.error) toast(`Deleted ${result.deleted.length} of ${ids.length}: ${formErrors(result.error).form ?? 'a deletion failed'}`, 'error');
    else toast(`Deleted ${result.deleted.length} record${result.deleted.length === 1 ? '' : 's'}`);
  };
  const changeHidden = (next: string[]): void => {
    setHidden(next);
    saveHiddenColumns(collection.id, next);
  };

  let body;
  if (pages.error) body = <p class="form-error" role="alert">{pages.error}</p>;
  else if (pages.items.length === 0 && pages.loading) body = <Loading label="Loading records…" />;
  else if (pages.items.length === 0) body = <EmptyState title={filter ? 'No record matches the filter' : 'No records yet'} />;
  else body = (
    <RecordsTable columns={columns} items={pages.items} done={pages.done} loading={pages.loading} onNeedMore={pages.loadMore}
      sort={sort} onSort={(next) => apply(filter, next)} selected={selected} onSelect={select}
      onOpen={(record) => setEditing(record)} presentable={presentable} />
  );

  return (
    <div class="records-screen">
      <PageHeader title={collection.name}>
        <span class="badge">{collection.type}</span>
        <span class="muted" role="status">{countText(pages.items.length, pages.total, pages.done)}</span>
        <Button variant="ghost" onClick={() => { setPending(0); pages.reload(); }}>Refresh</Button>
        <ColumnPicker fields={fields} hidden={hidden} onHidden={changeHidden} />
        <a class="button button-ghost" href={href('/collections/{name}/rules', { name: collection.name })}>Rules</a>
        <a class="button button-secondary" href={href('/collections/{name}/schema', { name: collection.name })}>Edit collection</a>
        {collection.type === 'view' ? null : <Button variant="primary" onClick={() => setEditing('new')}>New record</Button>}
      </PageHeader>
      <form class="filter-bar" role="search" onSubmit={(e) => { e.preventDefault(); apply(draft, sort); }}>
        <FilterInput label="Search or filter" value={draft} onChange={setDraft} onSubmit={(value) => apply(value, sort)} collection={collection.name}
          plainText placeholder='e.g. red shoes, or created > "2024-01-01" && title ~ "hello"' />
        <Button type="submit">Apply</Button>
        {filter ? <Button variant="ghost" onClick={() => { setDraft(''); apply('', sort); }}>Clear filter</Button> : null}
      </form>
      {pending > 0
        ? <div class="notice" role="status">
            {pending} new record{pending === 1 ? '' : 's'}
            <Button variant="secondary" onClick={() => { setPending(0); pages.reload(); }}>Show</Button>
          </div>
        : null}
      {selected.size > 0
        ? <div class="notice" role="region" aria-label="Selection">
            {selected.size} selected
            <Button variant="ghost" onClick={() => setSelected(new Set())}>Clear selection</Button>
            {collection.type === 'view' ? null : <Button variant="danger" onClick={() => setConfirmBulk(true)}>Delete selected</Button>}
          </div>
        : null}
      {body}
      {editing
        ? <RecordDrawer
            collection={collection} collections={collections} record={editing === 'new' ? null : editing} expand={expand}
            onClose={() => setEditing(null)}
            onSaved={(record) => {
              if (editing === 'new') ownCreates.current.add(record.id);
              pages.upsert(record, editing === 'new' ? 'first' : 'in-place');
              setEditing(null);
            }}
            onDeleted={(id) => { pages.remove([id]); setEditing(null); }}
          />
        : null}
      <ConfirmDialog open={confirmBulk} title={`Delete ${selected.size} record${selected.size === 1 ? '' : 's'}?`} confirmLabel="Delete"
        message={`The ${selected.size} selected record${selected.size === 1 ? '' : 's'} will be deleted. This cannot be undone.`}
        onConfirm={bulkDelete} onClose={() => setConfirmBulk(false)} />
    </div>
  );
}

/** "1,200 of 10,000 loaded", or the count alone once all are loaded. */
function countText(loaded: number, total: number | null, done: boolean): string {
  const format = (n: number): string => n.toLocaleString('en');
  const records = (n: number): string => `${format(n)} record${n === 1 ? '' : 's'}`;
  if (total === null) return done ? records(loaded) : `${format(loaded)} loaded`;
  return done || loaded >= total ? records(total) : `${format(loaded)} of ${format(total)} loaded`;
}
