/**
 * The editor of one collection rule (docs/rule-editor.md): a labelled expression box with
 * autocompletion of the collection's fields and `@request…` paths and inline syntax errors.
 */
import { FormField } from '../form-field.js';
import { ExpressionInput } from './expression-input.js';
import type { RuleCollection } from './collections-cache.js';

export interface RuleEditorProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The collection the rule belongs to: its name or its model (a draft with unsaved fields works too). */
  collection: RuleCollection;
  /** The server's error for this rule, shown under the box. */
  error?: string;
  help?: string;
}

export function RuleEditor({ label, value, onChange, collection, error, help }: RuleEditorProps) {
  return (
    <FormField label={label} error={error} help={help} render={(ids) => (
      <ExpressionInput ids={ids} value={value} onChange={onChange} collection={collection} kind="rule" rows={2}
        placeholder="e.g. @request.auth.id != '' && author = @request.auth.id" />
    )} />
  );
}
