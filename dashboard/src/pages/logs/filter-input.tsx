/**
 * The logs' filter box: a plain labelled textarea in the filter language, submitted with
 * Enter. NOTE: not the rule editor's box, whose completion comes from a collection's
 * schema: log entries belong to no collection.
 */
import { FormField } from '../../components/form-field.js';

export interface FilterInputProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Enter (without Shift) applies the filter. */
  onSubmit: () => void;
  error?: string;
  help?: string;
  placeholder?: string;
}

export function FilterInput({ label, value, onValue, onSubmit, error, help, placeholder }: FilterInputProps) {
  return (
    <FormField label={label} error={error} help={help} render={(ids) => (
      <textarea
        {...ids} class="filter-input" rows={1} spellcheck={false} value={value} placeholder={placeholder}
        onInput={(e) => onValue(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            onSubmit();
          }
        }}
      />
    )} />
  );
}
