/**
 * `#/settings/backups` (docs/operations.md, Backups): the list with size and date; create,
 * upload, download (with a superuser file token, as `pb.backups.getDownloadURL`), restore and
 * delete; then the schedule and the backups' S3 bucket.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { EmptyState } from '../../components/empty-state.js';
import { Loading } from '../../components/loading.js';
import { BackupCreateDialog } from './backup-create-dialog.js';
import { BackupRestoreDialog } from './backup-restore-dialog.js';
import { BackupScheduleForm } from './backup-schedule-form.js';
import { formatBytes, formatDate } from './format.js';
import type { SectionProps } from './section-props.js';

type BackupFileInfo = Awaited<ReturnType<typeof pb.backups.getFullList>>[number];

export function BackupsSection({ settings, onSaved }: SectionProps) {
  const [backups, setBackups] = useState<BackupFileInfo[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [restoring, setRestoring] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const load = (): void => {
    pb.backups.getFullList({ requestKey: 'backups-list' }).then(
      (list) => { setBackups(list); setError(undefined); },
      (err: unknown) => setError(formErrors(err).form),
    );
  };
  useEffect(load, []);

  const download = async (key: string): Promise<void> => {
    try {
      const token = await pb.files.getToken({ requestKey: null });
      const link = document.createElement('a');
      link.href = pb.backups.getDownloadURL(token, key);
      link.download = key;
      link.click();
    } catch (err) {
      toast(formErrors(err).form ?? 'The download failed.', 'error');
    }
  };

  const upload = async (file: File): Promise<void> => {
    setUploading(true);
    try {
      const body = new FormData();
      body.append('file', file);
      await pb.backups.upload(body, { requestKey: null });
      toast(`Uploaded ${file.name}`);
      load();
    } catch (err) {
      const found = formErrors(err);
      toast(found.fields.file ?? found.form ?? 'The upload failed.', 'error');
    } finally {
      setUploading(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  const remove = async (key: string): Promise<void> => {
    try {
      await pb.backups.delete(key, { requestKey: null });
      toast(`Deleted ${key}`);
      load();
    } catch (err) {
      toast(formErrors(err).form ?? 'The delete failed.', 'error');
    }
  };

  let list;
  if (error) list = <p class="form-error" role="alert">{error}</p>;
  else if (!backups) list = <Loading />;
  else if (backups.length === 0) list = <EmptyState title="No backups yet" detail="Create one, or upload a backup zip." />;
  else list = (
    <table class="settings-table">
      <caption class="visually-hidden">Backups</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Modified</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        {backups.map((backup) => (
          <tr key={backup.key}>
            <th scope="row">{backup.key}</th>
            <td>{formatBytes(backup.size)}</td>
            <td>{formatDate(backup.modified)}</td>
            <td class="settings-row-actions">
              <Button variant="ghost" aria-label={`Download ${backup.key}`} onClick={() => void download(backup.key)}>Download</Button>
              <Button variant="ghost" aria-label={`Restore ${backup.key}`} onClick={() => setRestoring(backup.key)}>Restore</Button>
              <Button variant="ghost" aria-label={`Delete ${backup.key}`} onClick={() => setDeleting(backup.key)}>Delete</Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <>
      <section class="settings-form" aria-labelledby="backups-title">
        <div class="page-header">
          <h2 id="backups-title">Backups</h2>
          <div class="page-header-actions">
            <input ref={fileInput} id="backup-upload" class="visually-hidden" type="file" accept=".zip,application/zip"
              aria-label="Upload backup" tabIndex={-1} onChange={(e) => { const file = e.currentTarget.files?.[0]; if (file) void upload(file); }} />
            <Button busy={uploading} onClick={() => fileInput.current?.click()}>Upload backup</Button>
            <Button variant="primary" onClick={() => setCreating(true)}>New backup</Button>
          </div>
        </div>
        <div aria-live="polite">{list}</div>
      </section>
      <BackupScheduleForm settings={settings} onSaved={onSaved} />
      <BackupCreateDialog open={creating} onClose={() => setCreating(false)} onCreated={() => { toast('Backup created'); load(); }} />
      <BackupRestoreDialog backupKey={restoring} onClose={() => setRestoring(null)} />
      <ConfirmDialog open={deleting !== null} title="Delete backup" message={`Delete ${deleting ?? ''}? This cannot be undone.`}
        confirmLabel="Delete" onConfirm={() => remove(deleting ?? '')} onClose={() => setDeleting(null)} />
    </>
  );
}
