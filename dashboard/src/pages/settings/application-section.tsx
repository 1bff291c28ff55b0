/** `#/settings/application`: the application's name, URL and the dashboard's own options (`meta`). */
import { useState } from 'preact/hooks';
import { Checkbox } from '../../components/checkbox.js';
import { TextInput } from '../../components/text-input.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { useSettingsSave } from './use-settings-save.js';

export function ApplicationSection({ settings, onSaved }: SectionProps) {
  const [meta, setMeta] = useState(settings.meta);
  const save = useSettingsSave(onSaved);
  const set = <K extends keyof typeof meta>(key: K, value: (typeof meta)[K]): void => setMeta({ ...meta, [key]: value });
  const errors = save.errors.fields;
  return (
    <SettingsForm title="Application" save={save} onSubmit={() => void save.run({ meta })}>
      <TextInput label="Application name" value={meta.appName} onValue={(v) => set('appName', v)} error={errors['meta.appName']} />
      <TextInput label="Application URL" type="url" value={meta.appURL} onValue={(v) => set('appURL', v)} error={errors['meta.appURL']}
        help="The address the mailed links point to." />
      <TextInput label="Accent colour" value={meta.accentColor} onValue={(v) => set('accentColor', v)} error={errors['meta.accentColor']}
        help="A CSS colour such as #1f5fd1, or empty for the default." />
      <Checkbox label="Hide collection create and edit controls" checked={meta.hideControls} onChecked={(v) => set('hideControls', v)}
        error={errors['meta.hideControls']} help="Guards a production schema against accidental changes." />
    </SettingsForm>
  );
}
