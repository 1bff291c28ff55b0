/**
 * Apple's client secret generator (docs/dashboard.md, "Collections editor"): Apple's OAuth2
 * client secret is a JWT signed with the developer's private key; this form sends the team
 * id, key id, private key and duration to `POST /api/settings/apple/generate-client-secret`
 * (docs/api.md) and hands the answer to the provider's client secret box.
 */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { formErrors, type FormErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { FormField } from '../../components/form-field.js';
import { TextInput } from '../../components/text-input.js';

/** Apple's longest client secret lifetime, in seconds (about six months). */
const MAX_DURATION = 15777000;

export interface AppleSecretFormProps {
  /** The provider's client id (the Services ID), the secret's subject. */
  clientId: string;
  onSecret: (secret: string) => void;
}

export function AppleSecretForm({ clientId, onSecret }: AppleSecretFormProps) {
  const [teamId, setTeamId] = useState('');
  const [keyId, setKeyId] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const [duration, setDuration] = useState(String(MAX_DURATION));
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const generate = async (): Promise<void> => {
    setBusy(true);
    setDone(false);
    setErrors({ fields: {} });
    try {
      const { secret } = await pb.settings.generateAppleClientSecret(clientId, teamId.trim(), keyId.trim(), privateKey, Number(duration), { requestKey: null });
      onSecret(secret);
      setDone(true);
    } catch (err) {
      setErrors(formErrors(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset class="option-section" aria-label="Generate the apple client secret">
      <legend>Generate the client secret</legend>
      <p class="field-help">Apple's client secret is a token signed with your private key, valid at most six months: generate a new one before it expires.</p>
      {errors.fields.clientId ? <p class="field-error" role="alert">Client id: {errors.fields.clientId}</p> : null}
      <div class="option-grid">
        <TextInput label="Team ID" value={teamId} onValue={setTeamId} error={errors.fields.teamId} autoComplete="off" />
        <TextInput label="Key ID" value={keyId} onValue={setKeyId} error={errors.fields.keyId} autoComplete="off" />
        <TextInput label="Duration (seconds)" type="number" value={duration} onValue={setDuration} error={errors.fields.duration}
          help={`At most ${MAX_DURATION} (about six months).`} />
      </div>
      <FormField label="Private key (.p8)" error={errors.fields.privateKey} help="The PEM text of the key file Apple gave you; it is not stored."
        render={(ids) => (
          <textarea {...ids} class="code" rows={5} spellcheck={false} autoComplete="off" value={privateKey}
            placeholder="-----BEGIN PRIVATE KEY-----" onInput={(e) => setPrivateKey(e.currentTarget.value)} />
        )} />
      {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
      <Button onClick={() => void generate()} busy={busy}>Generate and set secret</Button>
      {done ? <p class="field-help" role="status">The client secret box now holds the new secret; save the collection to keep it.</p> : null}
    </fieldset>
  );
}
