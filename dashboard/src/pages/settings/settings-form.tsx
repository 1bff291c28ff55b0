/**
 * A settings section's form: its title, its controls, the save button, and the server's
 * refusal — the message and every field error by setting path, so a refused setting that
 * no control shows is still named.
 */
import type { ComponentChildren } from 'preact';
import { Button } from '../../components/button.js';
import type { SettingsSave } from './use-settings-save.js';

export interface SettingsFormProps {
  title: string;
  save: SettingsSave;
  onSubmit: () => void;
  children: ComponentChildren;
  /** Buttons beside "Save" (e.g. "Send test mail"). */
  actions?: ComponentChildren;
}

export function SettingsForm({ title, save, onSubmit, children, actions }: SettingsFormProps) {
  const { form, fields } = save.errors;
  const listed = Object.entries(fields);
  return (
    <form class="form settings-form" aria-label={title} noValidate onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <h2>{title}</h2>
      {children}
      {form ? (
        <div class="form-error" role="alert">
          <p>{form}</p>
          {listed.length ? <ul class="settings-error-list">{listed.map(([path, message]) => <li key={path}><code>{path}</code>: {message}</li>)}</ul> : null}
        </div>
      ) : null}
      <div class="settings-actions">
        <Button type="submit" variant="primary" busy={save.busy}>Save changes</Button>
        {actions}
      </div>
    </form>
  );
}
