/** The input for one field of the record editor, chosen by the field's type (docs/dashboard.md, "Records"). */
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';
import { Checkbox } from '../../components/checkbox.js';
import { SelectInput } from '../../components/select-input.js';
import { TextInput } from '../../components/text-input.js';
import { DateInput } from './date-input.js';
import { EditorInput } from './editor-input.js';
import { FileInput, type FileChoice } from './file-input.js';
import { GeoPointInput, type GeoPoint } from './geo-point-input.js';
import { JsonInput } from './json-input.js';
import { RelationInput } from './relation-input.js';
import type { FormValues } from './record-form.js';

export interface FieldInputProps {
  field: CollectionField;
  record: RecordModel | null;
  values: FormValues;
  set: (name: string, value: unknown) => void;
  error?: string;
  /** Every collection, to find a relation's target. */
  collections: CollectionModel[];
}

export function FieldInput({ field, record, values, set, error, collections }: FieldInputProps) {
  const name = field.name;
  const value = values[name];
  const help = typeof field.help === 'string' && field.help ? field.help : undefined;
  const text = (type: 'text' | 'email' | 'url' | 'number'): preact.JSX.Element => (
    <TextInput label={name} type={type} value={String(value)} onValue={(v) => set(name, v)} error={error} help={help} required={Boolean(field.required)} />
  );
  switch (field.type) {
    case 'email': return text('email');
    case 'url': return text('url');
    case 'number': return text('number');
    case 'bool': return <Checkbox label={name} checked={Boolean(value)} onChecked={(v) => set(name, v)} error={error} help={help} />;
    case 'editor': return <EditorInput label={name} value={String(value)} onValue={(v) => set(name, v)} error={error} />;
    case 'date': return <DateInput label={name} value={String(value)} onValue={(v) => set(name, v)} error={error} />;
    case 'json': return <JsonInput label={name} value={String(value)} onValue={(v) => set(name, v)} error={error} />;
    case 'geoPoint': return <GeoPointInput label={name} value={value as GeoPoint} onValue={(v) => set(name, v)} error={error} />;
    case 'file': return <FileInput field={field} record={record} value={value as FileChoice} onValue={(v) => set(name, v)} error={error} />;
    case 'select': return <SelectField field={field} value={value as string[]} onValue={(v) => set(name, v)} error={error} help={help} />;
    case 'relation': {
      const related = collections.find((c) => c.id === field.collectionId);
      const expanded: unknown = record?.expand?.[name];
      const known = (Array.isArray(expanded) ? expanded : expanded ? [expanded] : []) as RecordModel[];
      return <RelationInput field={field} related={related} value={value as string[]} known={known} onValue={(v) => set(name, v)} error={error} />;
    }
    case 'password':
      return (
        <>
          <TextInput label={name} type="password" value={String(value)} onValue={(v) => set(name, v)} error={error} autoComplete="new-password"
            help={record ? 'Leave empty to keep the current password.' : undefined} required={!record} />
          <TextInput label={`${name} again`} type="password" value={String(values.passwordConfirm ?? '')} onValue={(v) => set('passwordConfirm', v)} autoComplete="new-password" />
        </>
      );
    default: return text('text');
  }
}

/** A select field: a drop-down for one value, a checkbox list for several. */
function SelectField({ field, value, onValue, error, help }: { field: CollectionField; value: string[]; onValue: (v: string[]) => void; error?: string; help?: string }) {
  const options = (Array.isArray(field.values) ? field.values : []).map(String);
  if (Number(field.maxSelect ?? 1) <= 1) {
    return <SelectInput label={field.name} value={value[0] ?? ''} onValue={(v) => onValue(v ? [v] : [])} error={error} help={help}
      options={[{ value: '', label: '—' }, ...options.map((o) => ({ value: o, label: o }))]} />;
  }
  return (
    <fieldset class={`field${error ? ' field-invalid' : ''}`}>
      <legend>{field.name}</legend>
      <div class="option-list">
        {options.map((option) => (
          <label key={option} class="menu-item">
            <input type="checkbox" checked={value.includes(option)} onChange={(e) => onValue(e.currentTarget.checked ? [...value, option] : value.filter((v) => v !== option))} />
            {option}
          </label>
        ))}
      </div>
      {help ? <p class="field-help">{help}</p> : null}
      {error ? <p class="field-error">{error}</p> : null}
    </fieldset>
  );
}
