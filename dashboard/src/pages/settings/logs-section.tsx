/** `#/settings/logs` (docs/operations.md, Logs): how long logs are kept, from which level, and what each stores. */
import { useState } from 'preact/hooks';
import { Checkbox } from '../../components/checkbox.js';
import { SelectInput } from '../../components/select-input.js';
import { NumberInput } from './number-input.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { useSettingsSave } from './use-settings-save.js';

const LEVELS = [
  { value: '-4', label: 'Debug (-4)' },
  { value: '0', label: 'Info (0)' },
  { value: '4', label: 'Warning (4)' },
  { value: '8', label: 'Error (8)' },
] as const;

export function LogsSection({ settings, onSaved }: SectionProps) {
  const [logs, setLogs] = useState(settings.logs);
  const save = useSettingsSave(onSaved);
  const errors = save.errors.fields;
  const levels = LEVELS.some((l) => l.value === String(logs.minLevel)) ? LEVELS : [...LEVELS, { value: String(logs.minLevel), label: String(logs.minLevel) }];
  return (
    <SettingsForm title="Logs" save={save} onSubmit={() => void save.run({ logs })}>
      <div class="settings-grid">
        <NumberInput label="Days to keep logs" value={logs.maxDays} onValue={(v) => setLogs({ ...logs, maxDays: v })} error={errors['logs.maxDays']}
          help="0 turns storing logs off." />
        <SelectInput label="Minimum level" value={String(logs.minLevel)} options={levels} onValue={(v) => setLogs({ ...logs, minLevel: Number(v) })}
          error={errors['logs.minLevel']} />
        <NumberInput label="Max data size (bytes)" value={logs.maxDataSize} onValue={(v) => setLogs({ ...logs, maxDataSize: v })}
          error={errors['logs.maxDataSize']} help="Of each entry's data; larger data is cut." />
      </div>
      <Checkbox label="Store the client IP" checked={logs.logIP} onChecked={(v) => setLogs({ ...logs, logIP: v })} error={errors['logs.logIP']} />
      <Checkbox label="Store the signed-in record's id" checked={logs.logAuthId} onChecked={(v) => setLogs({ ...logs, logAuthId: v })} error={errors['logs.logAuthId']} />
    </SettingsForm>
  );
}
