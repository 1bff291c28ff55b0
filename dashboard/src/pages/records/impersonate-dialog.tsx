/**
 * Impersonate an auth record (docs/api.md §5.7): asks for a duration, calls the impersonate
 * endpoint through the SDK and shows the non-refreshable token with a copy button. It signs
 * nobody in: the dashboard stays the superuser's.
 */
import { useState } from 'preact/hooks';
import type { CollectionModel, RecordModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { formErrors } from '../../field-errors.js';
import { toast } from '../../toast.js';
import { Button } from '../../components/button.js';
import { FormField } from '../../components/form-field.js';
import { Modal } from '../../components/modal.js';
import { TextInput } from '../../components/text-input.js';

export interface ImpersonateDialogProps {
  collection: CollectionModel;
  record: RecordModel;
  onClose: () => void;
}

export function ImpersonateDialog({ collection, record, onClose }: ImpersonateDialogProps) {
  const [duration, setDuration] = useState('0');
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const generate = async (): Promise<void> => {
    const seconds = Number(duration);
    if (!Number.isInteger(seconds) || seconds < 0) {
      setError('The duration is a whole number of seconds, 0 or more.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const client = await pb.collection(collection.id).impersonate(record.id, seconds, { requestKey: null });
      setToken(client.authStore.token);
    } catch (err) {
      setError(formErrors(err).form ?? 'The token was not made.');
    } finally {
      setBusy(false);
    }
  };
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(token);
      toast('Token copied');
    } catch {
      toast('The browser refused the clipboard: select the token and copy it.', 'error');
    }
  };

  const who = typeof record.email === 'string' && record.email ? record.email : record.id;
  return (
    <Modal open title={`Impersonate ${who}`} onClose={onClose} footer={<>
      <Button variant="ghost" onClick={onClose}>Close</Button>
      {token ? <Button variant="primary" onClick={() => void copy()}>Copy token</Button> : <Button variant="primary" busy={busy} onClick={() => void generate()}>Generate token</Button>}
    </>}>
      <div class="form">
        <p class="muted">A token that authenticates as this record, for testing its access. It cannot be refreshed.</p>
        <TextInput label="Duration in seconds" type="number" value={duration} onValue={setDuration} help="0 uses the collection's auth token duration." error={error || undefined} />
        {token
          ? <FormField label="Token" render={(ids) => <textarea {...ids} class="mono" rows={5} readOnly value={token} onFocus={(e) => e.currentTarget.select()} />} />
          : null}
      </div>
    </Modal>
  );
}
