/** The controls of an S3 bucket (`s3` or `backups.s3`); `prefix` names the settings path for errors. */
import { Checkbox } from '../../components/checkbox.js';
import { TextInput } from '../../components/text-input.js';
import type { S3Settings } from './app-settings.js';

export interface S3FieldsProps {
  value: S3Settings;
  onValue: (value: S3Settings) => void;
  /** `s3` or `backups.s3`. */
  prefix: string;
  errors: Record<string, string>;
  /** The "enabled" checkbox's label. */
  enableLabel: string;
}

export function S3Fields({ value, onValue, prefix, errors, enableLabel }: S3FieldsProps) {
  const set = <K extends keyof S3Settings>(key: K, next: S3Settings[K]): void => onValue({ ...value, [key]: next });
  const error = (key: keyof S3Settings): string | undefined => errors[`${prefix}.${key}`];
  return (
    <>
      <Checkbox label={enableLabel} checked={value.enabled} onChecked={(v) => set('enabled', v)} error={error('enabled')} />
      {value.enabled ? (
        <div class="settings-grid">
          <TextInput label="Endpoint" type="url" value={value.endpoint} onValue={(v) => set('endpoint', v)} error={error('endpoint')} />
          <TextInput label="Bucket" value={value.bucket} onValue={(v) => set('bucket', v)} error={error('bucket')} />
          <TextInput label="Region" value={value.region} onValue={(v) => set('region', v)} error={error('region')} />
          <TextInput label="Access key" value={value.accessKey} onValue={(v) => set('accessKey', v)} error={error('accessKey')} autoComplete="off" />
          <TextInput label="Secret" type="password" value={value.secret} onValue={(v) => set('secret', v)} error={error('secret')}
            autoComplete="new-password" help="Leave empty to keep the saved secret." />
          <Checkbox label="Force path-style addressing" checked={value.forcePathStyle} onChecked={(v) => set('forcePathStyle', v)}
            error={error('forcePathStyle')} help="Needed by MinIO and most S3-compatible stores." />
        </div>
      ) : null}
    </>
  );
}
