/** Saving one settings section: `PATCH /api/settings` with the section's keys, its errors kept for the form. */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import type { AppSettings, SettingsPatch } from './app-settings.js';
import { settingsErrors, type SettingsErrors } from './settings-errors.js';

export interface SettingsSave {
  busy: boolean;
  errors: SettingsErrors;
  /** Sends `patch`; on success hands the whole new settings to `onSaved` and says so. */
  run(patch: SettingsPatch): Promise<void>;
}

export function useSettingsSave(onSaved: (settings: AppSettings) => void): SettingsSave {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<SettingsErrors>({ fields: {} });
  const run = async (patch: SettingsPatch): Promise<void> => {
    setBusy(true);
    setErrors({ fields: {} });
    try {
      const next = await pb.settings.update(patch, { requestKey: null });
      onSaved(next as AppSettings);
      toast('Settings saved');
    } catch (err) {
      setErrors(settingsErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, errors, run };
}
