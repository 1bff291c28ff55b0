/**
 * A relation field's input: the chosen records shown by their presentable fields, and a
 * search through the related collection (getList, filtered on its presentable fields and id)
 * to add or swap one (docs/dashboard.md, "Records").
 */
import { useEffect, useId, useState } from 'preact/hooks';
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { presentableFields, presentRecord } from './record-fields.js';

/** Results shown per search. */
const SEARCH_LIMIT = 20;

export interface RelationInputProps {
  field: CollectionField;
  related: CollectionModel | undefined;
  value: string[];
  /** The records already expanded on the edited record, to name the chosen ids without a request. */
  known: RecordModel[];
  onValue: (ids: string[]) => void;
  error?: string;
}

export function RelationInput({ field, related, value, known, onValue, error }: RelationInputProps) {
  const id = useId();
  const multiple = Number(field.maxSelect ?? 1) > 1;
  const shown = presentableFields(related);
  const [names, setNames] = useState<Map<string, RecordModel>>(() => new Map(known.map((r) => [r.id, r])));
  const [search, setSearch] = useState('');
  const [results, setResults] = useState<RecordModel[]>([]);
  const [failed, setFailed] = useState('');

  useEffect(() => {
    if (!related) return;
    let live = true;
    const timer = setTimeout(() => {
      const needle = search.trim();
      // SECURITY: the search text is bound by pb.filter, never spliced into the filter.
      const filter = needle ? [...shown, 'id'].map((name, i) => `${name} ~ {:q${i}}`).join(' || ') : '';
      const params = Object.fromEntries([...shown, 'id'].map((_, i) => [`q${i}`, needle]));
      pb.collection(related.id)
        .getList(1, SEARCH_LIMIT, { filter: needle ? pb.filter(filter, params) : '', skipTotal: true, requestKey: null })
        .then((list) => {
          if (!live) return;
          setResults(list.items);
          setFailed('');
        }, (err: unknown) => live && setFailed(err instanceof Error ? err.message : String(err)));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [related?.id, search]);

  // Names the chosen records that are neither expanded nor among the results.
  useEffect(() => {
    const missing = value.filter((v) => !names.has(v));
    if (!related || missing.length === 0) return;
    const filter = missing.map((_, i) => `id = {:id${i}}`).join(' || ');
    pb.collection(related.id)
      .getFullList({ filter: pb.filter(filter, Object.fromEntries(missing.map((v, i) => [`id${i}`, v]))), requestKey: null })
      .then((found) => setNames((old) => new Map([...old, ...found.map((r) => [r.id, r] as const)])), () => undefined);
  }, [value.join(','), related?.id]);

  const choose = (record: RecordModel): void => {
    setNames((old) => new Map(old).set(record.id, record));
    if (!multiple) onValue([record.id]);
    else if (value.includes(record.id)) onValue(value.filter((v) => v !== record.id));
    else onValue([...value, record.id]);
  };
  const label = (recordId: string): string => {
    const record = names.get(recordId);
    return record ? presentRecord(record, shown) : recordId;
  };

  return (
    <fieldset class={`field${error ? ' field-invalid' : ''}`}>
      <legend>{field.name} <span class="muted">→ {related?.name ?? 'unknown collection'}</span></legend>
      <ul class="chip-list" aria-label={`Chosen ${field.name}`}>
        {value.map((v) => (
          <li key={v} class="chip">
            {label(v)}
            <button type="button" class="button button-ghost" aria-label={`Remove ${label(v)}`} onClick={() => onValue(value.filter((x) => x !== v))}>×</button>
          </li>
        ))}
      </ul>
      <label for={id} class="visually-hidden">Search {related?.name ?? field.name}</label>
      <input id={id} type="search" placeholder={`Search ${related?.name ?? ''}…`} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      {failed ? <p class="field-error" role="alert">{failed}</p> : null}
      <ul class="relation-results" aria-label={`${field.name} choices`}>
        {results.map((record) => (
          <li key={record.id}>
            <button type="button" class="button button-ghost" aria-pressed={value.includes(record.id)} onClick={() => choose(record)}>
              {presentRecord(record, shown)}{shown.length > 0 ? <span class="muted mono"> {record.id}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      {error ? <p class="field-error">{error}</p> : null}
    </fieldset>
  );
}
