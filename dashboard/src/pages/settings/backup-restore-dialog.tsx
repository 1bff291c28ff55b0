/**
 * Restoring a backup replaces every record, collection and file: the key must be typed to
 * confirm. Then `POST /api/backups/{key}/restore`, a wait until the server answers again, and a
 * reload of the dashboard over the restored data.
 */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { Modal } from '../../components/modal.js';
import { TextInput } from '../../components/text-input.js';
import { waitUntilOnline } from './wait-until-online.js';

type Phase = 'confirm' | 'restoring' | 'waiting' | 'offline';

export function BackupRestoreDialog({ backupKey, onClose }: { backupKey: string | null; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [phase, setPhase] = useState<Phase>('confirm');
  const [error, setError] = useState<string | undefined>();
  const working = phase === 'restoring' || phase === 'waiting';
  const close = (): void => {
    if (working) return;
    setPhase('confirm');
    setTyped('');
    setError(undefined);
    onClose();
  };
  const restore = async (): Promise<void> => {
    if (!backupKey || typed !== backupKey) return;
    setPhase('restoring');
    setError(undefined);
    try {
      await pb.backups.restore(backupKey, { requestKey: null });
    } catch (err) {
      setPhase('confirm');
      setError(formErrors(err).form);
      return;
    }
    setPhase('waiting');
    if (await waitUntilOnline()) location.reload();
    else setPhase('offline');
  };
  return (
    <Modal open={backupKey !== null} title="Restore backup" onClose={close} footer={phase === 'confirm' ? <>
      <Button variant="ghost" onClick={close}>Cancel</Button>
      <Button variant="danger" disabled={typed !== backupKey} onClick={() => void restore()}>Restore</Button>
    </> : null}>
      {phase === 'confirm' ? (
        <form class="form" onSubmit={(e) => { e.preventDefault(); void restore(); }}>
          <p>Every collection, record and file is replaced by the content of <strong>{backupKey}</strong>. Changes made since it
            was taken are lost.</p>
          <TextInput label="Type the backup name to confirm" value={typed} onValue={setTyped} autoComplete="off" />
          {error ? <p class="form-error" role="alert">{error}</p> : null}
        </form>
      ) : null}
      {working ? (
        <p role="status" aria-live="polite" class="loading"><span class="spinner" aria-hidden="true" />
          {phase === 'restoring' ? 'Restoring…' : 'Waiting for the server to be back online…'}</p>
      ) : null}
      {phase === 'offline' ? <p class="form-error" role="alert">The server did not answer within two minutes. Reload the page once it is back.</p> : null}
    </Modal>
  );
}
