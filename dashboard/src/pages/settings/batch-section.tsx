/** `#/settings/batch` (docs/api.md §7): whether `POST /api/batch` is allowed, and its bounds. */
import { useState } from 'preact/hooks';
import { Checkbox } from '../../components/checkbox.js';
import { NumberInput } from './number-input.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { useSettingsSave } from './use-settings-save.js';

export function BatchSection({ settings, onSaved }: SectionProps) {
  const [batch, setBatch] = useState(settings.batch);
  const save = useSettingsSave(onSaved);
  const errors = save.errors.fields;
  return (
    <SettingsForm title="Batch API" save={save} onSubmit={() => void save.run({ batch })}>
      <Checkbox label="Enable the batch API" checked={batch.enabled} onChecked={(v) => setBatch({ ...batch, enabled: v })} error={errors['batch.enabled']} />
      <div class="settings-grid">
        <NumberInput label="Max requests per batch" value={batch.maxRequests} onValue={(v) => setBatch({ ...batch, maxRequests: v })} error={errors['batch.maxRequests']} />
        <NumberInput label="Timeout (seconds)" value={batch.timeout} onValue={(v) => setBatch({ ...batch, timeout: v })} error={errors['batch.timeout']} />
        <NumberInput label="Max body size (bytes)" value={batch.maxBodySize} onValue={(v) => setBatch({ ...batch, maxBodySize: v })} error={errors['batch.maxBodySize']}
          help="The largest request body of one batch; 134217728 (128 MiB) by default." />
      </div>
    </SettingsForm>
  );
}
