/** The options of one field by its type (docs/api.md §2.5); a system field's options are read-only. */
import type { CollectionModel } from 'pocketbase';
import { Checkbox } from '../../components/checkbox.js';
import { SelectInput } from '../../components/select-input.js';
import { TextInput } from '../../components/text-input.js';
import { ListInput, NumberInput } from './option-inputs.js';
import type { FieldDraft } from './schema-draft.js';

export interface FieldOptionsProps {
  field: FieldDraft;
  onChange: (field: FieldDraft) => void;
  /** Errors of this field keyed by option name. */
  errors: Record<string, string>;
  collections: readonly CollectionModel[];
}

export function FieldOptions({ field, onChange, errors, collections }: FieldOptionsProps) {
  const set = (key: string, value: unknown): void => onChange({ ...field, [key]: value });
  const locked = field.system;
  const num = (key: string, label: string, help?: string, nullable = false) => (
    <NumberInput label={label} value={field[key] as number | null} onValue={(v) => set(key, v)} error={errors[key]} help={help} nullable={nullable} disabled={locked} min={nullable ? undefined : 0} />
  );
  const text = (key: string, label: string, help?: string) => (
    <TextInput label={label} value={(field[key] as string | undefined) ?? ''} onValue={(v) => set(key, v)} error={errors[key]} help={help} disabled={locked} />
  );
  const list = (key: string, label: string, help?: string) => (
    <ListInput label={label} value={field[key] as string[] | undefined} onValue={(v) => set(key, v)} error={errors[key]} help={help} disabled={locked} />
  );
  const check = (key: string, label: string, help?: string) => (
    <Checkbox label={label} checked={field[key] === true} onChecked={(v) => set(key, v)} error={errors[key]} help={help} disabled={locked} />
  );

  switch (field.type) {
    case 'text': return <div class="option-grid">
      {num('min', 'Min length')}{num('max', 'Max length', '0 means the default cap of 5000 characters.')}
      {text('pattern', 'Validation pattern', 'A regular expression the value must match.')}
      {text('autogeneratePattern', 'Autogenerate pattern', 'Fills an empty value on create, e.g. [a-z0-9]{15}.')}
      {field.primaryKey ? <p class="muted">Primary key.</p> : null}
    </div>;
    case 'number': return <div class="option-grid">
      {num('min', 'Min', undefined, true)}{num('max', 'Max', undefined, true)}{check('onlyInt', 'Integers only')}
    </div>;
    case 'email':
    case 'url': return <div class="option-grid">
      {list('exceptDomains', 'Except domains')}{list('onlyDomains', 'Only domains', 'Leave the other list empty: the two exclude each other.')}
    </div>;
    case 'editor': return <div class="option-grid">
      {num('maxSize', 'Max size (bytes)', '0 means 5 MiB.')}{check('convertURLs', 'Convert URLs', 'Make pasted links relative (dashboard only).')}
    </div>;
    case 'date': return <div class="option-grid">
      {text('min', 'Min date', 'e.g. 2024-01-01 00:00:00.000Z; empty for none.')}{text('max', 'Max date')}
    </div>;
    case 'autodate': return <div class="option-grid">
      {check('onCreate', 'Set on create')}{check('onUpdate', 'Set on update')}
    </div>;
    case 'select': return <div class="option-grid">
      {list('values', 'Choices')}{num('maxSelect', 'Max select', '0 or 1: a single value.')}
    </div>;
    case 'file': return <div class="option-grid">
      {num('maxSelect', 'Max files', '0 or 1: a single file.')}{num('maxSize', 'Max size per file (bytes)', '0 means 5 MiB.')}
      {list('mimeTypes', 'MIME types', 'e.g. image/png, image/jpeg; empty allows any.')}
      {list('thumbs', 'Thumb sizes', 'WxH, WxHt, WxHb, WxHf, 0xH or Wx0, comma-separated.')}
      {check('protected', 'Protected', 'Files need a file token to download.')}
    </div>;
    case 'relation': return <div class="option-grid">
      <SelectInput label="Related collection" value={(field.collectionId as string) ?? ''} error={errors.collectionId}
        disabled={locked || Boolean(field.id)} help={field.id ? 'The related collection cannot change after creation.' : undefined}
        options={[{ value: '', label: 'Pick a collection…' }, ...collections.map((c) => ({ value: c.id, label: c.name }))]}
        onValue={(v) => set('collectionId', v)} />
      {num('minSelect', 'Min select')}{num('maxSelect', 'Max select', '0 or 1: a single record.')}
      {check('cascadeDelete', 'Cascade delete', 'Deleting the related record deletes this one (or removes its id).')}
    </div>;
    case 'json': return <div class="option-grid">{num('maxSize', 'Max size (bytes)', '0 means 1 MiB.')}</div>;
    case 'password': return <div class="option-grid">
      {num('min', 'Min length')}{num('max', 'Max length', 'At most 71; 0 means 71.')}
      {text('pattern', 'Validation pattern')}{num('cost', 'Bcrypt cost', '4–31; 0 means 10.')}
    </div>;
    default: return null;
  }
}
