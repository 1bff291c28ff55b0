/**
 * The records filter bar's input: a plain text box for the filter language (docs/api.md §1.6),
 * applied with Enter. Its props are the interface the rule editor's autocompletion
 * (dash-rules) plugs into: it replaces this component, its callers stay as they are.
 */
import { useId } from 'preact/hooks';

export interface FilterInputProps {
  value: string;
  onChange: (value: string) => void;
  /** Enter: apply the filter. */
  onSubmit: (value: string) => void;
  /** The collection whose fields the filter names (for autocompletion). */
  collection: string;
}

export function FilterInput({ value, onChange, onSubmit, collection }: FilterInputProps) {
  const id = useId();
  return (
    <div class="filter-input">
      <label for={id} class="visually-hidden">Filter</label>
      <input
        id={id} type="search" value={value} spellcheck={false} autoComplete="off" data-collection={collection}
        placeholder={'Filter, e.g. title ~ "hello" && created > "2024-01-01"'}
        onInput={(e) => onChange(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onSubmit(e.currentTarget.value);
          }
        }}
      />
    </div>
  );
}
