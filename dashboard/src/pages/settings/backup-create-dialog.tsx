/** "New backup": `POST /api/backups` with an optional name (`[a-z0-9_-]+.zip`, docs/operations.md, Backups). */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { Button } from '../../components/button.js';
import { Modal } from '../../components/modal.js';
import { TextInput } from '../../components/text-input.js';
import { useAction } from './use-action.js';

export function BackupCreateDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const action = useAction();
  const errors = action.errors;
  const create = async (): Promise<void> => {
    if (!(await action.run(() => pb.backups.create(name.trim(), { requestKey: null })))) return;
    setName('');
    onCreated();
    onClose();
  };
  return (
    <Modal open={open} title="New backup" onClose={onClose} footer={<>
      <Button variant="ghost" onClick={onClose}>Cancel</Button>
      <Button variant="primary" busy={action.busy} onClick={() => void create()}>Start backup</Button>
    </>}>
      <form class="form" onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <TextInput label="Backup name" value={name} onValue={setName} error={errors.fields.name} placeholder="Leave empty for a generated name"
          help="Lowercase letters, digits, _ and -, ending in .zip." maxLength={150} />
        {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
      </form>
    </Modal>
  );
}
