/**
 * "Test connection": `POST /api/settings/test/s3` (docs/api.md §9) with the saved settings of
 * one filesystem; shows the store's error as the server words it.
 */
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import { Button } from '../../components/button.js';
import { useAction } from './use-action.js';

export function S3TestButton({ filesystem }: { filesystem: 'storage' | 'backups' }) {
  const action = useAction();
  const error = action.errors.form;
  const test = async (): Promise<void> => {
    if (await action.run(() => pb.settings.testS3(filesystem, { requestKey: null }))) toast('S3 connection works');
  };
  return (
    <>
      <Button busy={action.busy} onClick={() => void test()}>Test connection</Button>
      {error ? <p class="form-error settings-test-error" role="alert">{error}</p> : null}
    </>
  );
}
