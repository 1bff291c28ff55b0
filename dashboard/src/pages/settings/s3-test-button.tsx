/**
 * "Test connection": `POST /api/settings/test/s3` (docs/api.md §9) with the saved settings of
 * one filesystem; shows the store's error as the server words it.
 */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';

export function S3TestButton({ filesystem }: { filesystem: 'storage' | 'backups' }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const test = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await pb.settings.testS3(filesystem, { requestKey: null });
      toast('S3 connection works');
    } catch (err) {
      setError(formErrors(err).form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button busy={busy} onClick={() => void test()}>Test connection</Button>
      {error ? <p class="form-error settings-test-error" role="alert">{error}</p> : null}
    </>
  );
}
