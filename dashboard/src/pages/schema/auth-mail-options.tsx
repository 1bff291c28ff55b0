/** An auth collection's emails (docs/api.md §2.1): the templates of each mail and the new-sign-in alert. */
import { Checkbox } from '../../components/checkbox.js';
import { TextInput } from '../../components/text-input.js';
import { TextArea } from './option-inputs.js';
import type { AuthOptionsProps } from './auth-methods-options.js';
import type { Json } from './schema-draft.js';

/** Each template: where it lives in the collection JSON, and its title. */
const TEMPLATES = [
  ['verificationTemplate', '', 'Verification'],
  ['resetPasswordTemplate', '', 'Password reset'],
  ['confirmEmailChangeTemplate', '', 'Email change'],
  ['otp', 'emailTemplate', 'One-time password'],
  ['authAlert', 'emailTemplate', 'Login alert'],
] as const;

const PLACEHOLDERS = 'Placeholders: {APP_NAME}, {APP_URL}, {TOKEN}, {OTP}, {OTP_ID}, {ALERT_INFO}, {RECORD:fieldName}.';

export function AuthMailOptions({ draft, onPatch, errors }: AuthOptionsProps) {
  const alert = (draft.authAlert ?? {}) as Json;
  return (
    <>
      <p class="muted">{PLACEHOLDERS}</p>
      {TEMPLATES.map(([key, inner, title]) => {
        const owner = (draft[key] ?? {}) as Json;
        const template = ((inner ? owner[inner] : owner) ?? {}) as Json;
        const path = inner ? `${key}.${inner}` : key;
        const set = (partial: Json): void => onPatch(key, inner ? { [inner]: { ...template, ...partial } } : partial);
        return (
          <fieldset key={path} class="option-section">
            <legend>{title} email</legend>
            {key === 'authAlert' ? (
              <Checkbox label="Email users about sign-ins from a new device" checked={alert.enabled === true} onChecked={(enabled) => onPatch('authAlert', { enabled })} />
            ) : null}
            <TextInput label={`${title} subject`} value={String(template.subject ?? '')} onValue={(subject) => set({ subject })} error={errors[`${path}.subject`]} />
            <TextArea label={`${title} body (HTML)`} code rows={5} value={String(template.body ?? '')} onValue={(body) => set({ body })} error={errors[`${path}.body`]} />
          </fieldset>
        );
      })}
    </>
  );
}
