/**
 * A search box with the matching records as radio buttons (the rule tester's requester and record
 * pickers). Searches as you type (debounced), keeps the choice when the results change.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { TextInput } from '../../components/text-input.js';
import { formErrors } from '../../field-errors.js';

/** One record found: a stable key, what to show, and what choosing it means to the caller. */
export interface FoundRecord<T> {
  key: string;
  label: string;
  value: T;
}

export interface RecordSearchProps<T> {
  legend: string;
  searchLabel: string;
  /** The records matching the text; null keeps the results shown (text that is not a search yet). */
  search: (text: string) => Promise<FoundRecord<T>[] | null>;
  selected: FoundRecord<T> | null;
  onSelect: (found: FoundRecord<T> | null) => void;
  /** The label of the "nobody / no record" choice. */
  noneLabel: string;
  /** The search box; a plain text box by default. */
  searchBox?: (text: string, setText: (text: string) => void) => ComponentChildren;
}

const SEARCH_DELAY_MS = 250;

export function RecordSearch<T>({ legend, searchLabel, search, selected, onSelect, noneLabel, searchBox }: RecordSearchProps<T>) {
  const name = useId();
  const [text, setText] = useState('');
  const [found, setFound] = useState<FoundRecord<T>[]>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      search(text.trim()).then(
        (list) => {
          if (!live || list === null) return;
          setFound(list);
          setError(undefined);
        },
        (err: unknown) => live && setError(formErrors(err).form ?? 'The search failed.'),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text, search]);

  const shown = selected && !found.some((f) => f.key === selected.key) ? [selected, ...found] : found;
  return (
    <fieldset class="rule-tester-picker">
      <legend>{legend}</legend>
      {searchBox ? searchBox(text, setText) : <TextInput type="search" label={searchLabel} value={text} onValue={setText} />}
      {error ? <p class="field-error" role="alert">{error}</p> : null}
      <ul class="rule-tester-choices">
        <li>
          <label>
            <input type="radio" name={name} checked={selected === null} onChange={() => onSelect(null)} />
            {noneLabel}
          </label>
        </li>
        {shown.map((f) => (
          <li key={f.key}>
            <label>
              <input type="radio" name={name} checked={selected?.key === f.key} onChange={() => onSelect(f)} />
              {f.label}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
