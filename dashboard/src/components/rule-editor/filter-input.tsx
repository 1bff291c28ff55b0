/**
 * The records filter bar's box (docs/rule-editor.md): one line of the filter language with
 * autocompletion and inline syntax errors; Enter submits when no suggestion is open.
 */
import { FormField } from '../form-field.js';
import { ExpressionInput } from './expression-input.js';
import type { RuleCollection } from './collections-cache.js';

export interface FilterInputProps {
  value: string;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
  /** The collection whose records are filtered: its name or its model. */
  collection: RuleCollection;
  label?: string;
  /** Accept plain words as a search (no syntax error for text without operators), as PocketBase's records search does. */
  plainText?: boolean;
  placeholder?: string;
}

export function FilterInput({ value, onChange, onSubmit, collection, label = 'Filter', plainText, placeholder }: FilterInputProps) {
  return (
    <FormField label={label} render={(ids) => (
      <ExpressionInput ids={ids} value={value} onChange={onChange} onSubmit={onSubmit} collection={collection} kind="filter" rows={1}
        plainText={plainText} placeholder={placeholder ?? 'e.g. created > "2024-01-01" && title ~ "hello"'} />
    )} />
  );
}
