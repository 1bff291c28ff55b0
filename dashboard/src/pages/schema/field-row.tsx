/** One field of the fields list: name, type, the common flags, its type's options, and move/remove buttons. */
import type { CollectionModel } from 'pocketbase';
import { useState } from 'preact/hooks';
import { Button } from '../../components/button.js';
import { Checkbox } from '../../components/checkbox.js';
import { TextInput } from '../../components/text-input.js';
import { FieldRules, SearchableFlag } from './field-access.js';
import { FieldOptions } from './field-options.js';
import type { FieldDraft, Json } from './schema-draft.js';

export interface FieldRowProps {
  field: FieldDraft;
  index: number;
  count: number;
  onChange: (field: FieldDraft) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
  errors: Record<string, string>;
  collections: readonly CollectionModel[];
  /** The collection being edited (its field rules' completions). */
  collection: Json;
}

export function FieldRow({ field, index, count, onChange, onMove, onRemove, errors, collections, collection }: FieldRowProps) {
  // A new field opens its options at once; stored ones stay folded until asked.
  const [open, setOpen] = useState(!field.id || Object.keys(errors).length > 0);
  const set = (key: string, value: unknown): void => onChange({ ...field, [key]: value });
  const title = field.name || 'unnamed';
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <li class={`field-row${hasErrors ? ' field-row-invalid' : ''}`} aria-label={`Field ${title}`}>
      <div class="field-row-head">
        <span class="badge">{field.type}</span>
        <div class="field-row-name">
          <TextInput label="Field name" value={field.name} onValue={(v) => set('name', v)} error={errors.name ?? errors.type ?? errors.id} disabled={field.system} />
        </div>
        {field.system ? <span class="badge" title="System fields cannot be renamed or removed">system</span> : null}
        <Button variant="ghost" aria-expanded={open} aria-label={`Options of ${title}`} onClick={() => setOpen(!open)}>{open ? 'Hide options' : 'Options'}</Button>
        <Button variant="ghost" aria-label={`Move ${title} up`} disabled={index === 0} onClick={() => onMove(-1)}>↑</Button>
        <Button variant="ghost" aria-label={`Move ${title} down`} disabled={index === count - 1} onClick={() => onMove(1)}>↓</Button>
        <Button variant="ghost" aria-label={`Remove ${title}`} disabled={field.system} onClick={onRemove}>Remove</Button>
      </div>
      {open ? (
        <div class="field-row-body">
          <div class="option-flags">
            {field.type !== 'autodate' ? <Checkbox label="Required" checked={field.required === true} onChecked={(v) => set('required', v)} disabled={field.system} error={errors.required} /> : null}
            <Checkbox label="Hidden" checked={field.hidden} onChecked={(v) => set('hidden', v)} help="Only superusers see and filter it." error={errors.hidden} />
            <Checkbox label="Presentable" checked={field.presentable} onChecked={(v) => set('presentable', v)} help="Shown for this record in relation pickers." error={errors.presentable} />
            <SearchableFlag field={field} set={set} errors={errors} />
          </div>
          <FieldOptions field={field} onChange={onChange} errors={errors} collections={collections} />
          <FieldRules field={field} set={set} errors={errors} collection={collection} />
          {field.type !== 'autodate' ? (
            <TextInput label="Help text" value={(field.help as string | undefined) ?? ''} onValue={(v) => set('help', v)} error={errors.help} maxLength={300} />
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
