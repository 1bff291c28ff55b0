/** The fields of a base or auth collection: add, rename, reorder, remove, and each field's options. */
import type { CollectionModel } from 'pocketbase';
import { useState } from 'preact/hooks';
import { Button } from '../../components/button.js';
import { SelectInput } from '../../components/select-input.js';
import { errorsUnder } from './schema-errors.js';
import { FieldRow } from './field-row.js';
import { FIELD_TYPES, freeFieldName, newField, type FieldDraft, type Json } from './schema-draft.js';

export interface FieldsTabProps {
  fields: FieldDraft[];
  onChange: (fields: FieldDraft[]) => void;
  errors: Record<string, string>;
  collections: readonly CollectionModel[];
  /** The collection being edited (its field rules' completions). */
  collection: Json;
}

export function FieldsTab({ fields, onChange, errors, collections, collection }: FieldsTabProps) {
  const [type, setType] = useState<string>('text');
  const move = (index: number, by: -1 | 1): void => {
    const next = [...fields];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    onChange(next);
  };
  return (
    <div>
      {errors.fields ? <p class="field-error" role="alert">{errors.fields}</p> : null}
      <ol class="field-list">
        {fields.map((field, index) => (
          <FieldRow key={field.key} field={field} index={index} count={fields.length} collections={collections} collection={collection}
            errors={errorsUnder(errors, `fields.${index}.`)}
            onChange={(changed) => onChange(fields.map((f, i) => (i === index ? changed : f)))}
            onMove={(by) => move(index, by)}
            onRemove={() => onChange(fields.filter((_, i) => i !== index))} />
        ))}
      </ol>
      <div class="add-row">
        <SelectInput label="New field type" value={type} onValue={setType} options={FIELD_TYPES.map((t) => ({ value: t, label: t }))} />
        <Button onClick={() => onChange([...fields, newField(type, freeFieldName(fields))])}>Add field</Button>
      </div>
    </div>
  );
}
