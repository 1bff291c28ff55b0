/**
 * `#/settings/mail`: the sender and the SMTP server (`meta.sender*`, `smtp`). The saved
 * password comes back blank; a blank password box keeps it.
 */
import { useState } from 'preact/hooks';
import { Button } from '../../components/button.js';
import { Checkbox } from '../../components/checkbox.js';
import { SelectInput } from '../../components/select-input.js';
import { TextInput } from '../../components/text-input.js';
import { NumberInput } from './number-input.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { TestMailDialog } from './test-mail-dialog.js';
import { useSettingsSave } from './use-settings-save.js';

const AUTH_METHODS = [
  { value: '', label: 'Automatic' },
  { value: 'PLAIN', label: 'PLAIN' },
  { value: 'LOGIN', label: 'LOGIN' },
] as const;

export function MailSection({ settings, onSaved }: SectionProps) {
  const [sender, setSender] = useState({ senderName: settings.meta.senderName, senderAddress: settings.meta.senderAddress });
  const [smtp, setSmtp] = useState(settings.smtp);
  const [testing, setTesting] = useState(false);
  const save = useSettingsSave(onSaved);
  const setSmtpKey = <K extends keyof typeof smtp>(key: K, value: (typeof smtp)[K]): void => setSmtp({ ...smtp, [key]: value });
  const errors = save.errors.fields;
  const submit = (): void => {
    const { password, ...rest } = smtp;
    void save.run({ meta: sender, smtp: password ? smtp : rest });
  };
  return (
    <>
      <SettingsForm title="Mail" save={save} onSubmit={submit}
        actions={<Button onClick={() => setTesting(true)}>Send test mail</Button>}>
        <div class="settings-grid">
          <TextInput label="Sender name" value={sender.senderName} onValue={(v) => setSender({ ...sender, senderName: v })} error={errors['meta.senderName']} />
          <TextInput label="Sender address" type="email" value={sender.senderAddress} onValue={(v) => setSender({ ...sender, senderAddress: v })}
            error={errors['meta.senderAddress']} />
        </div>
        <Checkbox label="Use an SMTP server" checked={smtp.enabled} onChecked={(v) => setSmtpKey('enabled', v)} error={errors['smtp.enabled']}
          help="Off: mails are written to the server's log instead of being sent." />
        {smtp.enabled ? (
          <div class="settings-grid">
            <TextInput label="SMTP host" value={smtp.host} onValue={(v) => setSmtpKey('host', v)} error={errors['smtp.host']} />
            <NumberInput label="SMTP port" value={smtp.port} onValue={(v) => setSmtpKey('port', v)} error={errors['smtp.port']} />
            <TextInput label="SMTP username" value={smtp.username} onValue={(v) => setSmtpKey('username', v)} error={errors['smtp.username']} autoComplete="off" />
            <TextInput label="SMTP password" type="password" value={smtp.password} onValue={(v) => setSmtpKey('password', v)} error={errors['smtp.password']}
              autoComplete="new-password" help="Leave empty to keep the saved password." />
            <SelectInput label="Authentication method" value={smtp.authMethod} options={AUTH_METHODS} onValue={(v) => setSmtpKey('authMethod', v)}
              error={errors['smtp.authMethod']} />
            <TextInput label="Local name (HELO)" value={smtp.localName} onValue={(v) => setSmtpKey('localName', v)} error={errors['smtp.localName']}
              placeholder="localhost" />
            <Checkbox label="Implicit TLS (port 465)" checked={smtp.tls} onChecked={(v) => setSmtpKey('tls', v)} error={errors['smtp.tls']}
              help="Off: STARTTLS is used when the server offers it." />
          </div>
        ) : null}
      </SettingsForm>
      <TestMailDialog open={testing} onClose={() => setTesting(false)} />
    </>
  );
}
