/**
 * "Send test mail": `POST /api/settings/test/email` (docs/api.md §9) with the address, one of
 * the five templates and the auth collection whose template is used. Sends with the saved settings.
 */
import { useEffect, useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { Modal } from '../../components/modal.js';
import { SelectInput } from '../../components/select-input.js';
import { TextInput } from '../../components/text-input.js';
import { useAction } from './use-action.js';

const TEMPLATES = [
  { value: 'verification', label: 'Verification' },
  { value: 'password-reset', label: 'Password reset' },
  { value: 'email-change', label: 'Email change confirmation' },
  { value: 'otp', label: 'One-time password' },
  { value: 'login-alert', label: 'Login alert' },
] as const;

export function TestMailDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [email, setEmail] = useState('');
  const [template, setTemplate] = useState<string>('verification');
  const [collection, setCollection] = useState('_superusers');
  const [collections, setCollections] = useState<string[]>(['_superusers']);
  const [loadError, setLoadError] = useState<string | undefined>();
  const action = useAction();
  const errors = action.errors;

  useEffect(() => {
    if (!open) return;
    pb.collections.getFullList({ filter: "type = 'auth'", sort: 'name', fields: 'name', requestKey: 'test-mail-collections' }).then(
      (list) => setCollections(list.map((c) => c.name)),
      (err: unknown) => setLoadError(formErrors(err).form),
    );
  }, [open]);

  const send = async (): Promise<void> => {
    if (!(await action.run(() => pb.settings.testEmail(collection, email, template, { requestKey: null })))) return;
    toast(`Test mail sent to ${email}`);
    onClose();
  };

  return (
    <Modal open={open} title="Send test mail" onClose={onClose} footer={<>
      <Button variant="ghost" onClick={onClose}>Cancel</Button>
      <Button variant="primary" busy={action.busy} onClick={() => void send()}>Send</Button>
    </>}>
      <form class="form" onSubmit={(e) => { e.preventDefault(); void send(); }}>
        <SelectInput label="Template" value={template} options={TEMPLATES} onValue={setTemplate} error={errors.fields.template} />
        <SelectInput label="Auth collection" value={collection} options={collections.map((name) => ({ value: name, label: name }))}
          onValue={setCollection} error={errors.fields.collection} help="Whose template is sent." />
        <TextInput label="To address" type="email" value={email} onValue={setEmail} error={errors.fields.email} required />
        <p class="muted">Sent with the saved mail settings: save your changes first.</p>
        {errors.form ?? loadError ? <p class="form-error" role="alert">{errors.form ?? loadError}</p> : null}
      </form>
    </Modal>
  );
}
