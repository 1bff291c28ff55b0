/**
 * `#/settings/storage`: where record files go, the local data folder or an S3 bucket (`s3`).
 * Files stored before a switch stay where they were (docs/operations.md, S3 storage).
 */
import { useState } from 'preact/hooks';
import { s3Patch } from './app-settings.js';
import { S3Fields } from './s3-fields.js';
import { S3TestButton } from './s3-test-button.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { useSettingsSave } from './use-settings-save.js';

export function StorageSection({ settings, onSaved }: SectionProps) {
  const [s3, setS3] = useState(settings.s3);
  const save = useSettingsSave(onSaved);
  return (
    <SettingsForm title="File storage" save={save} onSubmit={() => void save.run({ s3: s3Patch(s3) })}
      actions={settings.s3.enabled ? <S3TestButton filesystem="storage" /> : null}>
      <p class="muted">Uploaded record files are kept in the data folder unless an S3 bucket is enabled. Files stored before a
        change stay where they were.</p>
      <S3Fields value={s3} onValue={setS3} prefix="s3" errors={save.errors.fields} enableLabel="Store files in S3" />
    </SettingsForm>
  );
}
