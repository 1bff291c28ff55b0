/**
 * A field's search and access options (docs/dashboard.md, "Collections editor"): whether a text
 * or editor field is searchable (docs/search.md §1), and the field's own read and write rules
 * (docs/field-rules.md). An open field rule is sent as no key at all, the shape PocketBase's
 * tools expect of a field without rules; it adds nothing to the collection's rules either way.
 */
import { useState } from 'preact/hooks';
import { Checkbox } from '../../components/checkbox.js';
import { RuleBox } from './rule-box.js';
import type { FieldDraft, Json } from './schema-draft.js';

export interface FieldAccessProps {
  field: FieldDraft;
  set: (key: string, value: unknown) => void;
  errors: Record<string, string>;
  /** The collection being edited, for the rule inputs' completions. */
  collection: Json;
}

/** The Searchable checkbox, for the field types the full-text index takes. */
export function SearchableFlag({ field, set, errors }: Omit<FieldAccessProps, 'collection'>) {
  if (field.type !== 'text' && field.type !== 'editor') return null;
  return (
    <Checkbox label="Searchable" checked={field.searchable === true} onChecked={(v) => set('searchable', v ? true : undefined)}
      help="Kept in the full-text index: search() finds its words, sort=-@rank ranks them." error={errors.searchable} />
  );
}

/** The field's read and write rules, folded until one is set. */
export function FieldRules({ field, set, errors, collection }: FieldAccessProps) {
  const rule = (key: 'readRule' | 'writeRule'): string | null => {
    const value: unknown = field[key];
    return value === null ? null : typeof value === 'string' ? value : '';
  };
  const failed = errors.readRule !== undefined || errors.writeRule !== undefined;
  // Unfolded from the start when a rule is set, and when the server finds one wrong; else as
  // the user leaves it (a rule switched back to open must not fold the box under the pointer).
  const [unfolded, setUnfolded] = useState(rule('readRule') !== '' || rule('writeRule') !== '');
  const change = (key: 'readRule' | 'writeRule') => (value: string | null) => set(key, value === '' ? undefined : value);
  return (
    <details class="field-rules" open={unfolded || failed} onToggle={(e) => setUnfolded(e.currentTarget.open)}>
      <summary>Field rules</summary>
      <RuleBox label="Read rule" value={rule('readRule')} onChange={change('readRule')} collection={collection} error={errors.readRule}
        openLabel="The record's rules" help="Who gets this field in answers, realtime events and expands, and may filter or sort by it." />
      <RuleBox label="Write rule" value={rule('writeRule')} onChange={change('writeRule')} collection={collection} error={errors.writeRule}
        openLabel="The record's rules" help="Who may set this field in a create or an update; a body that sets it otherwise is a 400." />
    </details>
  );
}
