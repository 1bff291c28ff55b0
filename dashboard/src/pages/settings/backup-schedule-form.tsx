/** The backups' schedule (`backups.cron`, `cronMaxKeep`) and their S3 bucket (`backups.s3`). */
import { useState } from 'preact/hooks';
import { TextInput } from '../../components/text-input.js';
import { s3Patch } from './app-settings.js';
import { NumberInput } from './number-input.js';
import { S3Fields } from './s3-fields.js';
import { S3TestButton } from './s3-test-button.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { useSettingsSave } from './use-settings-save.js';

export function BackupScheduleForm({ settings, onSaved }: SectionProps) {
  const [cron, setCron] = useState(settings.backups.cron);
  const [cronMaxKeep, setCronMaxKeep] = useState(settings.backups.cronMaxKeep);
  const [s3, setS3] = useState(settings.backups.s3);
  const save = useSettingsSave(onSaved);
  const errors = save.errors.fields;
  return (
    <SettingsForm title="Backup options" save={save} onSubmit={() => void save.run({ backups: { cron, cronMaxKeep, s3: s3Patch(s3) } })}
      actions={settings.backups.s3.enabled ? <S3TestButton filesystem="backups" /> : null}>
      <div class="settings-grid">
        <TextInput label="Schedule (cron)" value={cron} onValue={setCron} error={errors['backups.cron']} placeholder="0 0 * * *"
          help="Five cron fields in UTC or a macro such as @daily; empty for no scheduled backups." />
        <NumberInput label="Scheduled backups to keep" value={cronMaxKeep} onValue={setCronMaxKeep} error={errors['backups.cronMaxKeep']} />
      </div>
      <S3Fields value={s3} onValue={setS3} prefix="backups.s3" errors={errors} enableLabel="Store backups in S3" />
    </SettingsForm>
  );
}
