/**
 * The side panel that creates, edits and deletes one record (docs/dashboard.md, "Records"),
 * with an input per field type; for auth records, the impersonate action.
 */
import { useState } from 'preact/hooks';
import type { CollectionModel, RecordModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { formErrors } from '../../field-errors.js';
import { toast } from '../../toast.js';
import { Button } from '../../components/button.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Drawer } from '../../components/drawer.js';
import { FieldInput } from './field-input.js';
import { ImpersonateDialog } from './impersonate-dialog.js';
import { formFields, initialValues, recordBody, type FormValues } from './record-form.js';

export interface RecordDrawerProps {
  collection: CollectionModel;
  collections: CollectionModel[];
  /** The record to edit, or null to create one. */
  record: RecordModel | null;
  /** The `expand=` the table uses, so a saved record comes back as the table shows it. */
  expand: string;
  onSaved: (record: RecordModel) => void;
  onDeleted: (id: string) => void;
  onClose: () => void;
}

export function RecordDrawer({ collection, collections, record, expand, onSaved, onDeleted, onClose }: RecordDrawerProps) {
  const [values, setValues] = useState<FormValues>(() => initialValues(collection, record));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [impersonating, setImpersonating] = useState(false);
  const readOnly = collection.type === 'view';
  const set = (name: string, value: unknown): void => {
    setValues((old) => ({ ...old, [name]: value }));
    setFormError('');
    // An edited field's error is stale: drop it until the next save says otherwise.
    setErrors((old) => {
      if (!(name in old)) return old;
      const { [name]: _stale, ...rest } = old;
      return rest;
    });
  };

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    const built = recordBody(collection, record, values);
    if ('errors' in built) {
      setErrors(built.errors);
      setFormError('Fix the marked fields.');
      return;
    }
    setBusy(true);
    try {
      const options = { expand: expand || undefined, requestKey: null };
      const saved = record
        ? await pb.collection(collection.id).update(record.id, built.body, options)
        : await pb.collection(collection.id).create(built.body, options);
      toast(record ? 'Record saved' : 'Record created');
      onSaved(saved);
    } catch (err) {
      const found = formErrors(err);
      setErrors(found.fields);
      setFormError(found.form ?? '');
    } finally {
      setBusy(false);
    }
  };

  const remove = async (): Promise<void> => {
    if (!record) return;
    try {
      await pb.collection(collection.id).delete(record.id, { requestKey: null });
      toast('Record deleted');
      onDeleted(record.id);
    } catch (err) {
      toast(formErrors(err).form ?? 'The record was not deleted.', 'error');
    }
  };

  const title = readOnly ? `View record` : record ? `Edit ${collection.name} record` : `New ${collection.name} record`;
  const formId = `record-form-${collection.id}`;
  return (
    <>
      <Drawer open title={title} onClose={onClose} footer={<>
        {record && collection.type === 'auth' ? <Button variant="ghost" onClick={() => setImpersonating(true)}>Impersonate</Button> : null}
        {record && !readOnly ? <Button variant="danger" onClick={() => setConfirming(true)}>Delete</Button> : null}
        <Button variant="ghost" onClick={onClose}>{readOnly ? 'Close' : 'Cancel'}</Button>
        {readOnly ? null : <Button variant="primary" type="submit" form={formId} busy={busy}>{record ? 'Save changes' : 'Create'}</Button>}
      </>}>
        <form id={formId} class="form" onSubmit={(e) => void save(e)} noValidate>
          {record ? <p class="muted">id <span class="mono">{record.id}</span>{record.created ? ` · created ${String(record.created)}` : ''}{record.updated ? ` · updated ${String(record.updated)}` : ''}</p> : null}
          <fieldset class="form-fields" disabled={readOnly}>
            {formFields(collection).map((field) => (
              <FieldInput key={field.name} field={field} record={record} values={values} set={set} error={errors[field.name]} collections={collections} />
            ))}
          </fieldset>
          {formError ? <p class="form-error" role="alert">{formError}</p> : null}
        </form>
      </Drawer>
      <ConfirmDialog open={confirming} title="Delete this record?" message={`The record ${record?.id ?? ''} will be deleted. This cannot be undone.`}
        confirmLabel="Delete" onConfirm={remove} onClose={() => setConfirming(false)} />
      {record && impersonating ? <ImpersonateDialog collection={collection} record={record} onClose={() => setImpersonating(false)} /> : null}
    </>
  );
}
