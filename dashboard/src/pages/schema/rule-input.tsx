/**
 * The text box of one API rule (docs/filter-language.md). A plain textarea for now, behind the
 * small interface the rule editor (autocompletion, inline syntax errors) will implement.
 */
import { FormField } from '../../components/form-field.js';
import type { Json } from './schema-draft.js';

export interface RuleInputProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The collection the rule belongs to (as edited), for completing its fields. */
  collection: Json;
  error?: string;
}

export function RuleInput({ label, value, onChange, error }: RuleInputProps) {
  return (
    <FormField label={label} error={error} render={(ids) => (
      <textarea {...ids} class="rule-input" rows={2} spellcheck={false} value={value}
        placeholder="e.g. @request.auth.id != '' && author = @request.auth.id"
        onInput={(e) => onChange(e.currentTarget.value)} />
    )} />
  );
}
